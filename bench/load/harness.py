"""``make load``: seed a database, serve it with gunicorn, measure, verify, report.

1. The synthetic database (a SQLite file, or the database ``--database-url``
   names) is seeded once by ``bench.database.prepare`` and reused by later
   runs with the same cases and seed; the demo data goes to a fresh, empty
   database each time.
2. gunicorn serves it on a free loopback port with the ``loadtest`` config
   (production's, minus Secure cookies on plain HTTP; see
   ``coordination.config.LoadTestConfig``) and a fresh random ``SECRET_KEY``.
3. Baseline phase: the same number of users fetch a small static file, as
   fast as the server answers.
4. Mix phase: staff, an analyst and a conflict pair (``locustfile``).
5. gunicorn is stopped; the ledger of saves is checked against the database
   (``verify``); the table and the final ``name=value`` line are printed and
   written, with every sample's summary, to ``load-output/results.json``.

Exit status 1 when a request failed or an update was lost, else 0: missed
speed targets are reported, not fatal.
"""
from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import socket
import subprocess  # our own flask and gunicorn commands, no shell  # nosec B404
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import gevent
import psutil
import requests
import sqlalchemy as sa
from locust.env import Environment

from bench.database import BenchDatabaseError, Wanted
from bench.database import prepare as prepare_synthetic
from bench.load import locustfile
from bench.load.accounts import choose_accounts
from bench.load.scenario import STALE, Ledger, conflict_resolved
from bench.load.summary import (
    MIN_FRACTION_OF_BASELINE,
    Sample,
    budget_ms,
    figures,
    in_window,
    rows,
    table,
)
from bench.load.verify import Verification, audit_mark, verify
from coordination import PROJECT_ROOT, create_app
from coordination.config import LoadTestConfig
from coordination.demo import DEMO_PASSWORD
from coordination.extensions import db

OUTPUT = PROJECT_ROOT / "load-output"
DEFAULT_SQLITE = PROJECT_ROOT / "instance" / "load.sqlite3"  # the demo data's, fresh


def default_url(options: argparse.Namespace) -> str:
    """The synthetic data's own SQLite file per size (kept), or the demo's (fresh)."""
    if options.data == "demo":
        return f"sqlite:///{DEFAULT_SQLITE}"
    return f"sqlite:///{PROJECT_ROOT / 'instance' / f'load-{options.cases}.sqlite3'}"


def _options(argv: list[str] | None) -> argparse.Namespace:
    env = os.environ.get
    parser = argparse.ArgumentParser(prog="python -m bench.load.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=int(env("LOAD_CASES", "200000")),
                        help="cases to seed (LOAD_CASES, default 200000)")
    parser.add_argument("--seed", type=int, default=int(env("LOAD_SEED", "1")),
                        help="seed of the data and of the users' choices (LOAD_SEED)")
    parser.add_argument("--data", choices=("synthetic", "demo"),
                        default=env("LOAD_DATA", "synthetic"),
                        help="flask seed-synthetic, or the demo data (LOAD_DATA)")
    parser.add_argument("--database-url", default=env("LOAD_DATABASE_URL"),
                        help="the database to use (LOAD_DATABASE_URL): synthetic data is "
                             "seeded once and reused; the demo data needs an EMPTY one; "
                             "default: SQLite files in instance/")
    parser.add_argument("--users", type=int, default=int(env("LOAD_USERS", "8")),
                        help="staff users without pauses (LOAD_USERS); plus one analyst "
                             "and one conflict pair")
    parser.add_argument("--seconds", type=float, default=float(env("LOAD_SECONDS", "60")),
                        help="measured length of the mix (LOAD_SECONDS)")
    parser.add_argument("--baseline-seconds", type=float,
                        default=float(env("LOAD_BASELINE_SECONDS", "15")))
    parser.add_argument("--warmup", type=float, default=float(env("LOAD_WARMUP", "3")),
                        help="seconds between the last sign-in and the measurement")
    parser.add_argument("--workers", type=int, default=int(env("LOAD_WORKERS", "2")))
    parser.add_argument("--worker-class", choices=("sync", "gthread"),
                        default=env("LOAD_WORKER_CLASS"),
                        help="default: gthread on PostgreSQL, sync on SQLite (measured; "
                             "docs/PERFORMANCE.md)")
    parser.add_argument("--threads", type=int, default=int(env("LOAD_THREADS", "4")),
                        help="threads per gthread worker")
    parser.add_argument("--password", default=env("LOAD_PASSWORD", DEMO_PASSWORD),
                        help="the seeded accounts' password (LOAD_PASSWORD)")
    parser.add_argument("--output", type=Path, default=Path(env("LOAD_OUTPUT", str(OUTPUT))))
    return parser.parse_args(argv)


# --- the database -------------------------------------------------------------------


def prepare_database(options: argparse.Namespace, environment: dict) -> None:
    """The synthetic data: seeded once, reused (``bench.database.prepare``:
    a database seeded with other cases, seed or generator is seeded afresh,
    one the benchmark did not make is refused). The demo data: migrated and
    loaded into a new database; one that already holds tables is refused."""
    url = environment["DATABASE_URL"]
    if options.data == "synthetic":
        try:
            seconds = prepare_synthetic(url, Wanted(options.cases, options.seed), log=_say)
        except BenchDatabaseError as error:
            raise SystemExit(str(error)) from error
        if seconds is not None:
            _say(f"seeded {options.cases:,} cases in {seconds:.0f} s")
        return
    if not options.database_url:
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(f"{DEFAULT_SQLITE}{suffix}").unlink(missing_ok=True)
        DEFAULT_SQLITE.parent.mkdir(exist_ok=True)
    engine = sa.create_engine(url)
    try:
        tables = sa.inspect(engine).get_table_names()
    finally:
        engine.dispose()
    if tables:
        raise SystemExit(f"{_safe(url)} is not empty; give the load test a new database")
    seed = ["load-demo"]
    for command in (["db", "upgrade"], ["territories", "load"], seed):
        _say(f"flask {' '.join(command)}")
        subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *command],  # nosec B603
                       cwd=PROJECT_ROOT, env=environment, check=True,
                       stdout=None if command is seed else subprocess.DEVNULL)


def worker_class_for(url: str) -> str:
    """gthread where the database serves requests side by side (PostgreSQL);
    sync on SQLite, where every transaction takes the write lock, so threads
    would only queue on it holding their requests (measured, docs/PERFORMANCE.md)."""
    return "sync" if sa.engine.make_url(url).get_backend_name() == "sqlite" else "gthread"


# --- the server ---------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(options: argparse.Namespace, environment: dict, port: int):
    """gunicorn on the loopback; returns the process once /healthz answers."""
    # --chdir: the app imported is this checkout's, whatever else is installed.
    command = [sys.executable, "-m", "gunicorn", "--chdir", str(PROJECT_ROOT),
               "--workers", str(options.workers),
               "--worker-class", options.worker_class, "--bind", f"127.0.0.1:{port}",
               "--timeout", "30", "--graceful-timeout", "10", "--no-control-socket",
               "--error-logfile", str(options.output / "gunicorn.log")]
    if options.worker_class == "gthread":
        command += ["--threads", str(options.threads)]
    _say(" ".join(command[1:] + ["wsgi:app"]))
    with open(options.output / "gunicorn.log", "wb") as log:  # this run's only
        server = subprocess.Popen([*command, "wsgi:app"], cwd=PROJECT_ROOT,  # nosec B603
                                  env=environment, stdout=log, stderr=log)
    try:
        _wait_until_healthy(server, port, options.output / "gunicorn.log")
    except BaseException:
        stop_gunicorn(server)
        raise
    return server


def _wait_until_healthy(server, port: int, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited ({server.returncode}); see {log}")
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=10).ok:
                return
        except requests.RequestException:
            pass  # still booting
        time.sleep(0.25)
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


def stop_gunicorn(server) -> None:
    """SIGTERM (gunicorn finishes the requests in hand), then SIGKILL if it lingers."""
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def server_cores(pid: int) -> dict:
    """The cores gunicorn's workers may run on (their CPU affinity), and the machine's."""
    workers = psutil.Process(pid).children() or [psutil.Process(pid)]
    allowed = sorted({core for worker in workers for core in worker.cpu_affinity()})
    return {"allowed": len(allowed), "cores": allowed, "machine": psutil.cpu_count(),
            "workers": len(workers)}


# --- the phases ---------------------------------------------------------------------


@dataclass
class Phase:
    """The samples of one phase, its measured window (epoch seconds), and the
    cores each group of processes used during the window."""

    samples: list[Sample]
    start: float
    end: float
    cores: dict[str, float]

    @property
    def measured(self) -> list[Sample]:
        return in_window(self.samples, self.start, self.end)

    @property
    def seconds(self) -> float:
        return self.end - self.start


#: Who used the machine's cores: the server, the load generator (this
#: process), the PostgreSQL backends serving the load test's database, and
#: every other process on the machine.
CPU_GROUPS = ("gunicorn", "locust", "postgresql", "other", "idle")


def cpu_seconds(server_pid: int, database: str | None) -> dict[str, float]:
    """CPU seconds used so far by each group of :data:`CPU_GROUPS`.

    A PostgreSQL backend names its database in its process title
    (``postgres: user database host(port) state``).
    """
    server = psutil.Process(server_pid)
    gunicorn = {server_pid, *(child.pid for child in server.children(recursive=True))}
    used = dict.fromkeys(CPU_GROUPS, 0.0)
    for process in psutil.process_iter(["cmdline", "cpu_times"]):
        times = process.info["cpu_times"]
        if times is None:
            continue  # gone, or not ours to read
        title = " ".join(process.info["cmdline"] or ())
        group = ("gunicorn" if process.pid in gunicorn
                 else "locust" if process.pid == os.getpid()
                 else "postgresql" if database and title.startswith("postgres:")
                 and f" {database} " in title
                 else None)
        if group:
            used[group] += times.user + times.system
    machine = psutil.cpu_times()
    used["idle"] = machine.idle + getattr(machine, "iowait", 0.0)
    busy = sum(machine) - used["idle"] - getattr(machine, "guest", 0.0) \
        - getattr(machine, "guest_nice", 0.0)
    used["other"] = busy - used["gunicorn"] - used["locust"] - used["postgresql"]
    return used


def run_phase(user_classes: dict, host: str, settings: locustfile.Settings,
              warmup: float, seconds: float, server_pid: int,
              database: str | None = None) -> Phase:
    """Run ``user_classes`` (class -> how many) for warm-up plus ``seconds``.

    When the time is up no new save starts, the saves in flight finish (so
    the ledger knows every outcome), then the users stop.
    """
    for user_class, count in user_classes.items():
        user_class.fixed_count = count
    environment = Environment(user_classes=list(user_classes), host=host)
    environment.load = settings
    samples: list[Sample] = []

    def record(name, response_time, start_time=None, exception=None, **_kwargs):
        samples.append(Sample(name, start_time or time.time() - response_time / 1000,
                              response_time, str(exception) if exception else None))

    environment.events.request.add_listener(record)
    runner = environment.create_local_runner()
    total = sum(user_classes.values())
    runner.start(total, spawn_rate=total)
    sessions = sum(getattr(cls, "sessions", 0) * count for cls, count in user_classes.items())
    deadline = time.monotonic() + 120
    while settings.sessions < sessions and time.monotonic() < deadline:
        gevent.sleep(0.1)  # sign-ins are slow on purpose (argon2): not part of the mix
    gevent.sleep(warmup)
    start, cpu_before = time.time(), cpu_seconds(server_pid, database)
    gevent.sleep(seconds)
    end, cpu_after = time.time(), cpu_seconds(server_pid, database)
    settings.ledger.closed = True
    deadline = time.monotonic() + locustfile.TIMEOUT_SECONDS + 5
    while settings.ledger.in_flight and time.monotonic() < deadline:
        gevent.sleep(0.05)
    runner.quit()
    cores = {group: (cpu_after[group] - cpu_before[group]) / (end - start)
             for group in CPU_GROUPS}
    return Phase(samples, start, end, cores)


def mix_users(staff: int) -> dict:
    """The mix for ``staff`` users without pauses, plus one analyst and one pair."""
    coordinators = max(round(staff * 0.375), 1)
    police = max(round(staff * 0.375), 1)
    social = max(staff - coordinators - police, 1)
    return {locustfile.Coordinator: coordinators, locustfile.PoliceOfficer: police,
            locustfile.SocialWorker: social, locustfile.Analyst: 1,
            locustfile.ConflictPair: 1}


# --- putting it together ------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """The whole run (see the module docstring); its exit status."""
    options = _options(argv)
    options.output.mkdir(parents=True, exist_ok=True)
    options.load_before = os.getloadavg()[0]  # the machine may be shared: say how busy
    url = options.database_url or default_url(options)
    options.worker_class = options.worker_class or worker_class_for(url)
    environment = {**os.environ, "DATABASE_URL": url, "COORDINATION_ENV": "loadtest",
                   "SECRET_KEY": secrets.token_hex(32), "FLASK_APP": "wsgi"}
    prepare_database(options, environment)

    app = create_app({**_config(LoadTestConfig), "SQLALCHEMY_DATABASE_URI": url,
                      "SECRET_KEY": environment["SECRET_KEY"]})
    with app.app_context():
        mix = mix_users(options.users)
        accounts = choose_accounts(per_role=max(mix.values()) + 1)
        mark = audit_mark()
        db.session.remove()
    _say(f"accounts: {json.dumps(accounts)}")

    parsed = sa.engine.make_url(url)
    database = parsed.database if parsed.get_backend_name() == "postgresql" else None
    port = _free_port()
    host = f"http://127.0.0.1:{port}"
    server = start_gunicorn(options, environment, port)
    options.server_cores = server_cores(server.pid)
    try:
        users = sum(mix.values()) + 1  # the pair has two sessions
        _say(f"baseline: {users} users for {options.baseline_seconds:g} s")
        baseline = run_phase({locustfile.Baseline: users}, host,
                             locustfile.Settings(accounts, options.password, seed=options.seed),
                             options.warmup, options.baseline_seconds, server.pid, database)
        ledger = Ledger()
        _say(f"mix: {users} users for {options.seconds:g} s")
        mixed = run_phase(mix, host, locustfile.Settings(accounts, options.password, ledger,
                                                          seed=options.seed),
                          options.warmup, options.seconds, server.pid, database)
    finally:
        stop_gunicorn(server)

    with app.app_context():
        checked = verify(ledger.saves, mark)
        db.session.remove()
        db.engine.dispose()
    return report(options, url, baseline, mixed, ledger, checked)


def report(options: argparse.Namespace, url: str, baseline: Phase, mixed: Phase,
           ledger: Ledger, checked: Verification) -> int:
    """Print the tables and the final line; write results.json. The exit status."""
    baseline_rows = rows(baseline.measured, baseline.seconds)
    mix_rows = rows(mixed.measured, mixed.seconds)
    failures = sum(1 for s in baseline.samples + mixed.samples if s.error)
    result = figures(mix_rows[-1], baseline_rows[-1], failures, checked.lost_updates)
    resolved = sum(1 for pair in ledger.conflicts if conflict_resolved(pair))
    print()
    print(f"load average (1 min) before / after: {options.load_before:.2f} / "
          f"{os.getloadavg()[0]:.2f}")
    data = f"{options.cases} synthetic cases" if options.data == "synthetic" else "demo data"
    threads = f" x {options.threads} threads" if options.worker_class == "gthread" else ""
    print(f"database: {_safe(url)}  {data}  "
          f"gunicorn: {options.workers} {options.worker_class} workers{threads}")
    cores = options.server_cores
    print(f"server cores: {cores['allowed']} usable by its {cores['workers']} workers "
          f"(affinity {cores['cores']}), {cores['machine']} in the machine")
    print(table(f"baseline ({baseline.seconds:.0f} s measured)", baseline_rows))
    print()
    print(table(f"mix ({mixed.seconds:.0f} s measured)", mix_rows))
    users = sum(mix_users(options.users).values()) + 1
    print(f"the throughput target needs a mean of at most "
          f"{budget_ms(users, baseline_rows[-1].rps):.0f} ms per request with {users} sessions "
          f"(measured: {mix_rows[-1].mean_ms:.0f} ms)")
    print(server_work(baseline, baseline_rows[-1].rps, mixed, mix_rows[-1].rps))
    print()
    print(f"saves: {len(ledger.saves)} submitted, {checked.saved} accepted, "
          f"{checked.stale} refused as stale, on {checked.objects} objects")
    both_stale = sum(1 for pair in ledger.conflicts if pair == (STALE, STALE))
    print(f"conflict pairs: {len(ledger.conflicts)}: {resolved} with one save accepted and "
          f"the other refused as stale, {both_stale} both refused (a third save came first)")
    for phase_name, phase in (("baseline", baseline), ("mix", mixed)):
        used = ", ".join(f"{group} {cores:.2f}" for group, cores in phase.cores.items())
        print(f"cores used during the {phase_name} (of {psutil.cpu_count()}): {used}")
    print(f"failures (warm-up included): {failures}")
    for problem in checked.problems[:20]:
        print(f"  lost update: {problem}")
    for error, count in _errors(baseline.samples + mixed.samples)[:10]:
        print(f"  failure x{count}: {error}")
    for target, met in result.targets():
        print(f"target {'met   ' if met else 'MISSED'} {target}")
    (options.output / "results.json").write_text(json.dumps({
        "database": _safe(url), "options": {k: str(v) for k, v in vars(options).items()
                                            if k != "password"},
        "baseline": [asdict(r) for r in baseline_rows], "mix": [asdict(r) for r in mix_rows],
        "saves": {"submitted": len(ledger.saves), "accepted": checked.saved,
                  "stale": checked.stale, "objects": checked.objects},
        "conflicts": {"pairs": len(ledger.conflicts), "resolved": resolved,
                      "both_stale": both_stale},
        "cores": {"baseline": baseline.cores, "mix": mixed.cores,
                  "server": options.server_cores},
        "problems": checked.problems,
        "failures": dict(_errors(baseline.samples + mixed.samples)),
        "figures": result.line(),
    }, indent=2))
    print(result.line())
    return 1 if failures or checked.lost_updates else 0


def server_work(baseline: Phase, baseline_rps: float, mixed: Phase, mix_rps: float) -> str:
    """CPU the server (gunicorn and the database's backends) spent per request in
    each phase, and what the throughput target allows per request if the mix
    had every core of the machine: cores / (target share x baseline rps)."""
    def per_request(phase: Phase, rps: float) -> float:
        return 1000 * (phase.cores["gunicorn"] + phase.cores["postgresql"]) / rps if rps else 0.0

    allowed = 1000 * psutil.cpu_count() / (MIN_FRACTION_OF_BASELINE * baseline_rps) \
        if baseline_rps else 0.0
    return (f"server CPU per request: baseline {per_request(baseline, baseline_rps):.1f} ms, "
            f"mix {per_request(mixed, mix_rps):.1f} ms; the throughput target allows "
            f"{allowed:.1f} ms with all {psutil.cpu_count()} cores")


def _errors(samples: list[Sample]) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for sample in samples:
        if sample.error:
            key = f"{sample.name}: {sample.error[:120]}"
            counts[key] = counts.get(key, 0) + 1
    return sorted(counts.items(), key=lambda item: -item[1])


def _config(config_class) -> dict:
    return {key: getattr(config_class, key) for key in dir(config_class) if key.isupper()}


def _safe(url: str) -> str:
    """The URL without its password, for printing."""
    return sa.engine.make_url(url).render_as_string(hide_password=True)


def _say(message: str) -> None:
    print(f"== {message}", flush=True)
