"""``python -m bench.load.pages``: each page of the load mix, alone, in one process.

Where ``make load`` measures the pages under concurrency, this times the
same requests one at a time through the whole WSGI app (Flask's test
client, no network, no other request waiting), as the load test's users
make them (the same :class:`bench.load.scenario.Browser`, the same accounts,
reads only), on the load test's database. ``--profile`` adds cProfile's
heaviest functions for the slowest pages. Nothing is saved: the database
is left as it was, apart from the audit of case views and sign-ins.

    python -m bench.load.pages [--database-url URL] [--cases N] [--repeat 10] [--profile 3]
"""
from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.load.accounts import choose_accounts  # noqa: E402
from bench.load.scenario import Browser, Ledger, Reply, UnexpectedPage, expect_ok  # noqa: E402
from bench.load.summary import percentile  # noqa: E402
from coordination import PROJECT_ROOT, create_app  # noqa: E402
from coordination.config import LoadTestConfig  # noqa: E402
from coordination.demo import DEMO_PASSWORD  # noqa: E402
from coordination.extensions import db  # noqa: E402


class TimedClient:
    """:class:`bench.load.scenario.Client` over the test client, timing each request
    (and profiling it when a profiler is given)."""

    def __init__(self, client, times: dict[str, list[float]], profiles: dict | None = None):
        self.client, self.times, self.profiles = client, times, profiles

    def request(self, method, path, *, name, data=None, check=None):
        profile = cProfile.Profile() if self.profiles is not None else None
        started = time.perf_counter()
        if profile:
            profile.enable()
        response = self.client.open(path, method=method, data=data, follow_redirects=True,
                                    headers={"Accept-Language": "en"})
        if profile:
            profile.disable()
        self.times[name].append((time.perf_counter() - started) * 1000)
        if profile:
            self.profiles.setdefault(name, []).append(profile)
        reply = Reply(response.status_code, response.text)
        problem = (check or expect_ok)(reply)
        if problem:
            raise UnexpectedPage(f"{name}: {problem}")
        return reply


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.load.pages", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("LOAD_DATABASE_URL"))
    parser.add_argument("--cases", type=int, default=int(os.environ.get("LOAD_CASES", "200000")))
    parser.add_argument("--repeat", type=int, default=10, help="rounds of each role's reads")
    parser.add_argument("--profile", type=int, default=0,
                        help="print cProfile's top functions for the N slowest pages")
    return parser.parse_args()


def rounds(browser: Browser, role: str) -> None:
    """One round of the role's reads in the mix (see ``locustfile``)."""
    if role == "analyst":
        for value in (0.1, 0.5, 0.9):  # the country, a region, a district, the CSV
            browser.rng.random = lambda value=value: value
            browser.view_reports()
        return
    browser.home()
    cases = browser.browse_cases()
    incoming, in_progress = browser.referral_inbox()
    follow_ups = browser.follow_up_cases()
    for case_id in (cases + incoming + in_progress + follow_ups)[:3]:
        browser.open_case(case_id)


def main() -> int:
    options = _options()
    url = options.database_url or \
        f"sqlite:///{PROJECT_ROOT / 'instance' / f'load-{options.cases}.sqlite3'}"
    config = {key: getattr(LoadTestConfig, key) for key in dir(LoadTestConfig) if key.isupper()}
    app = create_app({**config, "SQLALCHEMY_DATABASE_URI": url,
                      "SECRET_KEY": os.urandom(32).hex(), "RATELIMIT_ENABLED": False})
    times: dict[str, list[float]] = defaultdict(list)
    profiles: dict = {}
    with app.app_context():
        accounts = choose_accounts(per_role=1)
        db.session.remove()
    for role in ("coordinator", "police", "social", "analyst"):
        client = TimedClient(app.test_client(), defaultdict(list))
        browser = Browser(client, Ledger(), random.Random(1))  # nosec B311
        browser.sign_in(accounts[role][0], DEMO_PASSWORD)
        rounds(browser, role)  # warm-up (not counted): caches, compiled templates
        client.times, client.profiles = times, profiles if options.profile else None
        for _ in range(options.repeat):
            rounds(browser, role)
    print(f"{url.split('@')[-1]}  accounts {', '.join(a[0] for a in accounts.values())}")
    print(f"{'page':<34} {'n':>4} {'median ms':>10} {'p95 ms':>8} {'max ms':>8}")
    ordered = sorted(times.items(), key=lambda item: -percentile(item[1], 0.5))
    for name, values in ordered:
        print(f"{name:<34} {len(values):>4} {percentile(values, 0.5):>10.1f} "
              f"{percentile(values, 0.95):>8.1f} {max(values):>8.1f}")
    for name, _values in ordered[:options.profile]:
        out = io.StringIO()
        stats = pstats.Stats(*profiles[name], stream=out)
        stats.sort_stats("cumulative").print_stats(25)
        print(f"\n--- {name}: cumulative, over {len(profiles[name])} requests\n"
              + out.getvalue()[-6000:])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
