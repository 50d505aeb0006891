"""``make bench``: timings of reports, lists and inboxes on synthetic data.

Environment: ``BENCH_CASES`` (default 200000), ``BENCH_SEED`` (1),
``BENCH_DATABASE_URL`` (default a SQLite file instance/bench-<N>.sqlite3;
a PostgreSQL URL works the same, the database is created if missing),
``BENCH_REPEAT`` (requests per list or inbox page, default 20),
``BENCH_REPORT_REPEAT`` (reports and PDFs, default 7), ``BENCH_SIGNIN_REPEAT``
(sign-ins, default 10: the password hash is timed apart from the rest).

Prints a table (n, median, p95, max in milliseconds) and ends with one line
of ``name=value`` pairs. These are measurements, not tests: nothing here
passes or fails on speed; it fails only when a page does not answer 200.
"""
from __future__ import annotations

import math
import os
import re
import resource
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

if __package__ in (None, ""):  # run as a script: the repository root on the path
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402
from sqlalchemy import event  # noqa: E402
from werkzeug.datastructures import MultiDict  # noqa: E402

from bench.database import BenchDatabaseError, Wanted, default_url, prepare  # noqa: E402
from bench.disclosure import report_figures  # noqa: E402
from bench.signin import time_sign_ins  # noqa: E402
from coordination import create_app, policy  # noqa: E402
from coordination.accounts.models import Role, User  # noqa: E402
from coordination.agencies.models import Agency, AgencyType  # noqa: E402
from coordination.cases import services  # noqa: E402
from coordination.cases.models import Case, CaseStatus  # noqa: E402
from coordination.extensions import db  # noqa: E402
from coordination.models_base import utcnow  # noqa: E402
from coordination.public_ids import encode  # noqa: E402
from coordination.reports.build import build  # noqa: E402
from coordination.reports.request import parse  # noqa: E402

PASSWORD = "demo-password-1"  # nosec B105  (the published demo password)
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class Measurement:
    name: str
    samples: list[float] = field(default_factory=list)  #: seconds

    @property
    def median_ms(self) -> float:
        return statistics.median(self.samples) * 1000

    @property
    def p95_ms(self) -> float:
        return percentile(self.samples, 95) * 1000

    @property
    def max_ms(self) -> float:
        return max(self.samples) * 1000


def percentile(samples: list[float], p: float) -> float:
    """The nearest-rank percentile (the largest sample for a handful)."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


# --- signing in and timing requests ------------------------------------------------


def signed_in(app, username: str):
    """A test client signed in through the real login form (CSRF on)."""
    client = app.test_client()
    page = client.get("/login")
    token = _CSRF.search(page.text).group(1)
    response = client.post("/login", data={"username": username, "password": PASSWORD,
                                           "csrf_token": token})
    if response.status_code != 302:
        raise SystemExit(f"bench: could not sign in as {username}")
    return client


def timed_get(client, url: str, repeat: int, into: Measurement) -> None:
    """GET ``url`` once to warm up, then ``repeat`` timed times (server time
    in this process: the request through the whole WSGI app)."""
    for attempt in range(repeat + 1):
        started = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise SystemExit(f"bench: GET {url} answered {response.status_code}")
        if attempt:
            into.samples.append(elapsed)


# --- who -------------------------------------------------------------------------------


@dataclass
class Staff:
    district: str
    coordinator: str
    police: str
    analyst: str = "ministry.analyst"


def busiest_district_staff() -> Staff:
    """The coordinator and first police officer of the district with most cases."""
    district_id = db.session.scalar(
        sa.select(Case.district_id).group_by(Case.district_id)
        .order_by(sa.func.count().desc(), Case.district_id).limit(1))

    def first_user(agency_type: AgencyType, role: Role | None = None) -> str:
        query = (sa.select(User.username).join(Agency, Agency.id == User.agency_id)
                 .where(Agency.territory_id == district_id, Agency.type == agency_type)
                 .order_by(User.id).limit(1))
        if role is not None:
            query = query.where(User.role == role)
        return db.session.scalar(query)

    coordinator = first_user(AgencyType.COMMITTEE, Role.LEAD)
    return Staff(coordinator.split(".", 1)[1], coordinator, first_user(AgencyType.POLICE))


def list_urls(username: str, per_page: int) -> dict[str, str]:
    """First page, the last (deepest) page, a search, a filter."""
    user = db.session.scalar(sa.select(User).where(User.username == username))
    visible = policy.visible_cases(user)
    count = db.session.scalar(visible.with_only_columns(sa.func.count(Case.id)))
    code = db.session.scalar(visible.with_only_columns(Case.survivor_code)
                             .order_by(Case.created_at.desc()).offset(10).limit(1))
    # The last page, reached as the list's own "next" links reach it: after
    # the case just before it (keyset pagination, coordination/cases/services.py).
    before_last = db.session.scalar(visible.with_only_columns(Case.id)
                                    .order_by(*policy.newest_first(user))
                                    .offset(max(0, count - per_page - 1)).limit(1))
    deep = (f"/cases?after={encode(services.CURSOR_KIND, before_last)}"
            if count > per_page else "/cases")
    return {"first page": "/cases", "deep page": deep,
            "search": "/cases?" + urlencode({"q": code or "DV-2"}),
            "filter": f"/cases?status={CaseStatus.ACTIVE.value}"}


def case_urls(username: str) -> list[str]:
    """The pages of the user's newest visible case and of one a year older."""
    user = db.session.scalar(sa.select(User).where(User.username == username))
    ids = list(db.session.scalars(policy.visible_cases(user).with_only_columns(Case.id)
                                  .order_by(*policy.newest_first(user)).limit(1)))
    older = db.session.scalar(policy.visible_cases(user).with_only_columns(Case.id)
                              .order_by(*policy.newest_first(user)).offset(2000).limit(1))
    return [f"/cases/{encode('case', case_id)}" for case_id in [*ids, older] if case_id]


# --- the report against its own SQL ----------------------------------------------


def report_statements(app, analyst: User) -> tuple[Callable[[], None], list]:
    """A function building the national report as the ministry does, and the
    statements (with parameters) it sends to the database."""
    def produce():
        with app.test_request_context("/reports", headers={"Accept-Language": "en"}):
            report_request = parse(analyst, MultiDict(), utcnow().date())
            build(report_request, utcnow().date())

    statements = []

    def capture(_connection, _cursor, statement, parameters, _context, executemany):
        # Queries only: SQLite's BEGIN (coordination.database) is no part of it.
        if not executemany and statement.lstrip().upper().startswith(("SELECT", "WITH")):
            statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        produce()
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    return produce, statements


def measure_report(app, analyst: User, repeat: int) -> tuple[Measurement, Measurement]:
    """(the report built through the statistics layer and the cell key method,
    the same SQL on the driver)."""
    produce, statements = report_statements(app, analyst)
    engine_times = Measurement("report: built")
    sql_times = Measurement("report: its GROUP BYs on the layer")
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()

        def run_sql():
            for statement, parameters in statements:
                cursor.execute(statement, parameters)
                cursor.fetchall()

        if db.engine.dialect.name == "sqlite":
            # One read transaction throughout, as the session holds one for the
            # engine (psycopg opens it by itself); the page cache then stays valid.
            cursor.execute("BEGIN")
        run_sql()  # warm-up, as the engine had its first run above
        for _ in range(repeat):  # interleaved, so that both see the same machine
            started = time.perf_counter()
            produce()
            engine_times.samples.append(time.perf_counter() - started)
            started = time.perf_counter()
            run_sql()
            sql_times.samples.append(time.perf_counter() - started)
        cursor.close()
        raw.rollback()
    finally:
        raw.close()
    return engine_times, sql_times


# --- the run ---------------------------------------------------------------------------


def measure_sign_in(app, username: str, repeat: int) -> list[Measurement]:
    """The whole sign-in POST, its password hash, and the rest of it."""
    wholes, hashes = time_sign_ins(app, username, PASSWORD,
                                   lambda page: _CSRF.search(page).group(1), repeat)
    return [Measurement(f"sign-in: whole POST: {username}", wholes),
            Measurement("sign-in: password hash (argon2)", hashes),
            Measurement("sign-in: the rest", [w - h for w, h in zip(wholes, hashes, strict=True)])]


def run(url: str, repeat: int, report_repeat: int,
        signin_repeat: int) -> tuple[list[Measurement], dict]:
    # Every sign-in comes from one address: the limit is raised so that none
    # is refused; its cost is still in the measured time.
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "LOGIN_RATE_LIMIT": "6000 per minute"})
    measurements: list[Measurement] = []
    with app.app_context():
        staff = busiest_district_staff()
        per_page = app.config["CASES_PER_PAGE"]
        urls = {name: list_urls(name, per_page) for name in (staff.coordinator, staff.police)}
        cases = {name: case_urls(name) for name in (staff.coordinator, staff.police)}
        analyst = db.session.scalar(sa.select(User).where(User.username == staff.analyst))
        db.session.commit()
        engine_times, sql_times = measure_report(app, analyst, report_repeat)
        disclosed = report_figures(app, analyst)
        db.session.remove()
    print("National report: " + " ".join(f"{key}={value}" for key, value in disclosed.items()))
    print(f"District measured: {staff.district} ({staff.coordinator}, {staff.police}).")
    lists, inboxes, homes, case_pages = [], [], [], []
    for username in (staff.coordinator, staff.police):
        client = signed_in(app, username)
        for kind, path in urls[username].items():
            lists.append(Measurement(f"list {kind}: {username}"))
            timed_get(client, path, repeat, lists[-1])
        for path in ("/referrals", "/followups"):
            inboxes.append(Measurement(f"inbox {path}: {username}"))
            timed_get(client, path, repeat, inboxes[-1])
        homes.append(Measurement(f"home /: {username}"))
        timed_get(client, "/", repeat, homes[-1])
        for number, path in enumerate(cases[username], start=1):
            case_pages.append(Measurement(f"case page {number}: {username}"))
            timed_get(client, path, repeat, case_pages[-1])
    pdf = Measurement(f"PDF national report: {staff.analyst}")
    timed_get(signed_in(app, staff.analyst), "/reports/aggregate.pdf", report_repeat, pdf)
    signin = measure_sign_in(app, staff.coordinator, signin_repeat)
    measurements = [engine_times, sql_times, *lists, *inboxes, *homes, *case_pages, pdf,
                    *signin]
    summary = {
        "report_ms": round(engine_times.median_ms, 1),
        "layer_sql_ms": round(sql_times.median_ms, 1),
        # The report against the bare GROUP BY queries it sends to the statistics layer.
        "report_vs_layer": round(engine_times.median_ms / sql_times.median_ms, 2),
        "list_p95_ms": round(percentile([s for m in lists for s in m.samples], 95) * 1000, 1),
        "inbox_p95_ms": round(percentile([s for m in inboxes for s in m.samples], 95) * 1000,
                              1),
        "home_p95_ms": round(percentile([s for m in homes for s in m.samples], 95) * 1000, 1),
        "case_p95_ms": round(percentile([s for m in case_pages for s in m.samples], 95) * 1000,
                             1),
        "pdf_ms": round(pdf.median_ms, 1),
        "signin_ms": round(signin[0].median_ms, 1),
        "signin_hash_ms": round(signin[1].median_ms, 1),
        "signin_rest_ms": round(signin[2].median_ms, 1),
        "signin_rest_p95_ms": round(signin[2].p95_ms, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    return measurements, summary


def print_table(measurements: list[Measurement]) -> None:
    width = max(len(m.name) for m in measurements)
    print(f"{'measurement':{width}}  {'n':>4}  {'median ms':>10}  {'p95 ms':>10}  "
          f"{'max ms':>10}")
    for m in measurements:
        print(f"{m.name:{width}}  {len(m.samples):>4}  {m.median_ms:>10.1f}  {m.p95_ms:>10.1f}  "
              f"{m.max_ms:>10.1f}")


def main() -> int:
    cases = _env_int("BENCH_CASES", 200_000)
    seed = _env_int("BENCH_SEED", 1)
    url = os.environ.get("BENCH_DATABASE_URL") or default_url(cases)
    repeat = max(1, _env_int("BENCH_REPEAT", 20))
    report_repeat = max(1, _env_int("BENCH_REPORT_REPEAT", 7))
    signin_repeat = max(1, _env_int("BENCH_SIGNIN_REPEAT", 10))
    try:
        seconds = prepare(url, Wanted(cases, seed))
    except BenchDatabaseError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 2
    if seconds is not None:
        print(f"Seeded {cases:,} cases in {seconds:.1f} s (migrations included).")
    measurements, summary = run(url, repeat, report_repeat, signin_repeat)
    backend = sa.engine.make_url(url).get_backend_name()
    print(f"\nBenchmark: {cases:,} cases on {backend}, seed {seed}, {repeat} requests per page, "
          f"{report_repeat} reports, {signin_repeat} sign-ins.")
    print_table(measurements)
    print(" ".join(f"{name}={value}" for name, value in summary.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
