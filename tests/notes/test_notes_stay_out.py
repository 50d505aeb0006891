"""Notes never reach the statistics or the committee's minutes (issue 16, item 1)."""
from __future__ import annotations

import io

import sqlalchemy as sa
from pypdf import PdfReader

from coordination.cases.models import RiskLevel
from coordination.extensions import db
from coordination.meetings import services as meeting_services
from coordination.models_base import utcnow
from coordination.notes import services
from coordination.notes.models import NoteVisibility
from coordination.statistics import layer
from coordination.statistics.models import StatisticalRecord
from tests.helpers import pid
from tests.meetings.conftest import decide
from tests.workflow.conftest import NOW

#: A note's words that nothing else in the demo data contains.
NOTE = "Она сказала, что муж прячет нож в сарае (запись 7QX)"
#: Its distinctive part, as a PDF or a CSV would carry it.
MARK = "7QX"


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _noted_case(new_case, user):
    case = new_case()
    case.risk_level = RiskLevel.HIGH
    for visibility in NoteVisibility:
        services.add_note(user("coordinator.sokuluk"), case,
                          services.NoteData(utcnow().date(), visibility, NOTE))
    db.session.flush()
    layer.refresh([case.id])
    db.session.commit()
    return case


def test_the_statistical_records_hold_no_note(new_case, user, login_as):
    case = _noted_case(new_case, user)
    table = StatisticalRecord.__table__
    # No column of the statistical layer could hold a note's words: codes only.
    for column in table.columns:
        if isinstance(column.type, sa.String):
            assert column.type.length is not None and column.type.length <= 32, column.name
    rows = db.session.execute(sa.select(table).where(table.c.case_id == case.id)).all()
    assert rows, "the case must be counted"
    for row in rows:
        assert not any(isinstance(v, str) and MARK in v for v in row), row

    client = login_as("ministry.analyst")
    period = {"from": "2024-01", "to": "2026-11"}
    page = client.get("/reports", query_string=period)
    assert page.status_code == 200 and MARK not in page.text
    csv = client.get("/reports/aggregate.csv", query_string=period)
    assert csv.status_code == 200
    assert MARK not in csv.data.decode("utf-8-sig")


def test_the_minutes_and_the_agenda_hold_no_note(new_case, user, meeting, login_as):
    case = _noted_case(new_case, user)
    coordinator = user("coordinator.sokuluk")
    lsg = user("lsg.sokuluk")
    scheduled = meeting()
    meeting_services.record_attendance(coordinator, scheduled,
                                       [coordinator.agency_id, lsg.agency_id],
                                       scheduled.version, now=NOW)
    decide(coordinator, scheduled, case, lsg.agency_id, lsg.id, action="Үй-бүлөгө баруу")
    db.session.commit()
    assert case in [item.case for item in scheduled.agenda]

    client = login_as("coordinator.sokuluk")
    assert NOTE in client.get(f"/cases/{pid(case)}").text  # the note itself is there
    page = client.get(f"/meetings/{pid(scheduled)}")
    assert page.status_code == 200 and case.reference in page.text
    assert MARK not in page.text
    for kind in ("minutes", "agenda"):
        for lang in ("ru", "ky"):
            response = client.get(f"/meetings/{pid(scheduled)}/{kind}.pdf?lang={lang}")
            assert response.status_code == 200
            text = _text(response.data)
            assert case.reference in text
            assert MARK not in text and "сарае" not in text
