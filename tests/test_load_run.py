"""``make load`` end to end, briefly: gunicorn and Locust on the demo data.

Runs only where the ``load`` extra is installed (``make load`` installs it).
Nothing here depends on the machine's speed or on the application's known
failures under concurrency (docs/PERFORMANCE.md, "Load test": SQLite's lock,
simultaneous sign-ins): it checks that the run completes, measures both
phases, finds no lost update, and prints and writes the same final line.
"""
from __future__ import annotations

import json
import subprocess  # the harness, as make load runs it  # nosec B404
import sys
from importlib.util import find_spec

import pytest

from coordination import PROJECT_ROOT
from tests import databases

FIGURES = ("rps", "p50_ms", "p95_ms", "p99_ms", "failures", "lost_updates", "baseline_rps",
           "fraction_of_baseline")


@pytest.mark.slow
@pytest.mark.skipif(find_spec("locust") is None or find_spec("gunicorn") is None,
                    reason="the load extra is not installed (make load installs it)")
def test_a_short_load_run_measures_verifies_and_reports(tmp_path):
    with databases.scratch_database(tmp_path) as url:
        done = subprocess.run(  # nosec B603
            [sys.executable, "-m", "bench.load.run", "--data", "demo", "--database-url", url,
             "--users", "2", "--seconds", "4", "--baseline-seconds", "2", "--warmup", "1",
             "--output", str(tmp_path)],
            cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert done.stdout.strip(), done.stderr[-2000:]
    last = done.stdout.strip().splitlines()[-1]
    figures = dict(pair.split("=", 1) for pair in last.split())
    assert tuple(figures) == FIGURES, done.stdout[-2000:]
    assert figures["lost_updates"] == "0"
    assert float(figures["rps"]) > 0 and float(figures["baseline_rps"]) > 0
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["figures"] == last
    assert results["baseline"][0]["name"] == "GET baseline"
    assert results["baseline"][-1]["requests"] > 0
    assert results["mix"][-1]["name"] == "total"
    assert done.returncode == (1 if figures["failures"] != "0" else 0)
