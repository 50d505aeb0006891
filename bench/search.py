"""Search and duplicate-check times on a seeded database (issue 16).

    DATABASE_URL=... .venv/bin/python -m bench.search [repeat]

For the coordinator and the first police officer of the busiest district it
times, in the service (the SQL the case list and the intake run, without the
HTTP round trip): the case list's search by part of a reference, by part of
a police register number, by a survivor's name (Cyrillic, folded) and the
duplicate check of an existing survivor. Prints median and max in ms and the
number of cases found. Nothing passes or fails on speed.
"""
from __future__ import annotations

import statistics
import sys
import time

import sqlalchemy as sa

from bench.run import busiest_district_staff
from coordination import create_app
from coordination.accounts.models import User
from coordination.cases import services
from coordination.cases.duplicates import SurvivorKey, check_duplicates
from coordination.cases.models import Case, Incident, Person, PersonRole
from coordination.extensions import db


def _timed(repeat: int, action) -> tuple[float, float, object]:
    samples, result = [], None
    for _ in range(repeat + 1):  # the first run warms the caches, not counted
        started = time.perf_counter()
        result = action()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples[1:]), max(samples[1:]), result


def main() -> int:
    repeat = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    app = create_app()
    with app.app_context():
        staff = busiest_district_staff()
        total = db.session.scalar(sa.select(sa.func.count(Case.id)))
        district = db.session.scalar(sa.select(User).where(
            User.username == staff.coordinator)).agency.territory_id
        sample = db.session.execute(
            sa.select(Case.reference, Person.last_name, Person.first_name, Person.patronymic,
                      Person.birth_year)
            .join(Person, Person.case_id == Case.id)
            .where(Case.district_id == district, Person.role == PersonRole.SURVIVOR)
            .order_by(Case.id.desc()).limit(1)).one()
        register = db.session.scalar(
            sa.select(Incident.crime_register_number).join(Case, Case.id == Incident.case_id)
            .where(Case.district_id == district, Incident.crime_register_number.is_not(None))
            .limit(1))
        texts = {"reference part": sample.reference[5:11],
                 "register part": (register or "0000")[:6],
                 "name": f"{sample.last_name} {sample.first_name}"}
        print(f"{db.engine.dialect.name}: {total:,} cases; district of {staff.coordinator}")
        print("| who | what | median ms | max ms | found |")
        print("| --- | --- | --- | --- | --- |")
        for username in (staff.coordinator, staff.police):
            user = db.session.scalar(sa.select(User).where(User.username == username))
            for what, text in texts.items():
                filters = services.CaseFilters(query=text)
                median, worst, found = _timed(
                    repeat, lambda f=filters, u=user: services.list_cases(u, f).total)
                print(f"| {username} | search by {what} | {median:.1f} | {worst:.1f} | {found} |")
            key = SurvivorKey(sample.last_name, sample.first_name, sample.patronymic,
                              sample.birth_year, district)
            median, worst, check = _timed(repeat, lambda k=key, u=user: check_duplicates(u, k))
            found = f"{len(check.visible)} visible, {len(check.hidden_districts)} hidden"
            print(f"| {username} | duplicate check | {median:.1f} | {worst:.1f} | {found} |")
            db.session.rollback()  # the checks' audit entries are not kept
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
