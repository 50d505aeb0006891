"""What the national report publishes, counted: tables, cells, cells shown as
"<k", and the mean absolute perturbation of its counts (the true counts are
seen here only, by watching the one function that publishes them).

``python -m bench.disclosure [DATABASE_URL]`` prints it for a database (the
demo's by default); ``make bench`` prints it for the benchmark's database.
"""
from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402
from werkzeug.datastructures import MultiDict  # noqa: E402

from coordination.accounts.models import User  # noqa: E402
from coordination.extensions import db  # noqa: E402
from coordination.models_base import utcnow  # noqa: E402
from coordination.statistics import protection  # noqa: E402


def report_figures(app, analyst: User) -> dict[str, float]:
    """The national twelve-month report's tables, cells, hidden cells and mean
    absolute perturbation (over every published count, totals included)."""
    from coordination.reports.build import build
    from coordination.reports.request import parse

    published = []
    original = protection.publish

    def watched(group, k, settings):
        result = original(group, k, settings)
        published.append((group[0], result))
        return result

    protection.publish = watched
    try:
        with app.test_request_context("/reports", headers={"Accept-Language": "en"}):
            report, _notes = build(parse(analyst, MultiDict(), utcnow().date()),
                                   utcnow().date())
    finally:
        protection.publish = original
    cells = [cell for table in report.tables for _label, row in table.rows for cell in row]
    return {
        "tables": len(report.tables),
        "cells": len(cells),
        "hidden_cells": sum(cell.suppressed for cell in cells),
        "counts_published": len(published),
        "mean_abs_perturbation": round(
            sum(abs(result.perturbed - n) for n, result in published) / len(published), 3),
    }


def main() -> int:
    from coordination import create_app

    url = sys.argv[1] if len(sys.argv) > 1 else None
    app = create_app({"SQLALCHEMY_DATABASE_URI": url} if url else None)
    with app.app_context():
        analyst = db.session.scalar(sa.select(User).where(User.username == "ministry.analyst"))
        figures = report_figures(app, analyst)
    print(" ".join(f"{key}={value}" for key, value in figures.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
