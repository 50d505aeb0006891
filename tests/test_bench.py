"""``make bench`` end to end on a tiny database, so that the harness cannot rot.

Only the harness is checked (it runs, reuses its database, ends with the
figures' line); the figures themselves depend on the machine and are not.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
import sqlalchemy as sa

from bench.database import BenchDatabaseError, Wanted, prepare
from coordination import PROJECT_ROOT
from tests import databases

FINAL_LINE = re.compile(r"report_ms=\d+(\.\d+)? layer_sql_ms=\d+(\.\d+)? "
                        r"report_vs_layer=\d+(\.\d+)? list_p95_ms=\d+(\.\d+)? "
                        r"inbox_p95_ms=\d+(\.\d+)? home_p95_ms=\d+(\.\d+)? "
                        r"case_p95_ms=\d+(\.\d+)? pdf_ms=\d+(\.\d+)? "
                        r"signin_ms=\d+(\.\d+)? signin_hash_ms=\d+(\.\d+)? "
                        r"signin_rest_ms=\d+(\.\d+)? signin_rest_p95_ms=\d+(\.\d+)? "
                        r"peak_rss_mb=\d+(\.\d+)?")


def _bench(url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "BENCH_CASES": "200", "BENCH_REPEAT": "1", "BENCH_REPORT_REPEAT": "1",
           "BENCH_DATABASE_URL": url}
    env.pop("DATABASE_URL", None)
    return subprocess.run([sys.executable, "bench/run.py"], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=900, check=False)


@pytest.mark.slow
def test_bench_seeds_measures_and_ends_with_the_figures(tmp_path):
    with databases.scratch_database(tmp_path) as url:
        first = _bench(url)
        assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
        lines = first.stdout.strip().splitlines()
        assert FINAL_LINE.fullmatch(lines[-1]), lines[-1]
        assert "Seeded 200 cases" in first.stdout
        assert re.search(r"National report: tables=\d+ cells=\d+ hidden_cells=\d+ "
                         r"counts_published=\d+ mean_abs_perturbation=[\d.]+", first.stdout)
        for name in ("report: built", "report: its GROUP BYs on the layer", "list deep page",
                     "inbox /followups", "home /", "case page 1", "PDF national report",
                     "sign-in: password hash",
                     "sign-in: the rest"):
            assert name in first.stdout
        said = []
        assert prepare(url, Wanted(200, 1), log=said.append) is None  # reused, not reseeded
        assert said == ["Reusing the benchmark database (200 cases, seed 1)."]
        engine = sa.create_engine(url)
        with engine.begin() as connection:  # as if seeded before a newer migration
            connection.execute(sa.text("UPDATE bench_seed SET head = 'older'"))
        engine.dispose()
        said.clear()
        assert prepare(url, Wanted(200, 1), log=said.append) is None  # migrated, not reseeded
        assert said[0].startswith("Migrating the benchmark database (200 cases, seed 1) "
                                  "from older to ")
        assert prepare(url, Wanted(200, 1), log=said.append) is None
        assert said[-1].startswith("Reusing")


def test_bench_refuses_a_database_it_did_not_make(app):
    with pytest.raises(BenchDatabaseError, match="did not make"):
        prepare(app.config["SQLALCHEMY_DATABASE_URI"], Wanted(200, 1), log=lambda _m: None)
