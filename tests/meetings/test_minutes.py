"""The minutes PDF: the reader's language with embedded Cyrillic fonts, references only."""
from __future__ import annotations

import io
import subprocess
import sys

import sqlalchemy as sa
from pypdf import PdfReader

from coordination import PROJECT_ROOT
from coordination.audit.models import AuditAction, AuditEvent
from coordination.cases.models import Case, RiskLevel
from coordination.extensions import db
from coordination.meetings import services
from exports.minutes import ActionRow, AgendaRow, Minutes, MinutesLabels, render_minutes
from tests.helpers import pid
from tests.meetings.conftest import decide
from tests.workflow.conftest import NOW


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _identifying_strings(cases: list[Case]) -> set[str]:
    """Everything about the people of these cases that must never be printed."""
    found = set()
    for case in cases:
        found.add(case.survivor_code)
        for person in case.people:
            found |= {person.first_name, person.last_name, person.patronymic, person.phone,
                      person.address}
    return {text for text in found if text}


def _meeting_with_a_decision(new_case, user, meeting):
    coordinator = user("coordinator.sokuluk")
    lsg = user("lsg.sokuluk")
    case = new_case()
    case.risk_level = RiskLevel.HIGH
    db.session.flush()
    scheduled = meeting()
    services.record_attendance(coordinator, scheduled, [coordinator.agency_id, lsg.agency_id],
                               scheduled.version, now=NOW)
    decide(coordinator, scheduled, case, lsg.agency_id, lsg.id, action="Үй-бүлөгө баруу")
    db.session.commit()
    return scheduled, case


def test_minutes_in_kyrgyz_carry_references_and_no_personal_data(
        login_as, new_case, user, meeting):
    scheduled, case = _meeting_with_a_decision(new_case, user, meeting)
    client = login_as("coordinator.sokuluk")
    response = client.get(f"/meetings/{pid(scheduled)}/minutes.pdf?lang=ky")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    text = _text(response.data)
    for letter in "ңөү":
        assert letter in text
    assert "Катышкан мекемелер" in text
    assert "Күн тартиби" in text
    assert "Тобокелдиктин жогорку деңгээли" in text  # the reason "high risk"
    assert "Үй-бүлөгө баруу" in text  # the decision's own words
    agenda_cases = [item.case for item in scheduled.agenda]
    assert case in agenda_cases
    for agenda_case in agenda_cases:
        assert agenda_case.reference in text
    for secret in _identifying_strings(agenda_cases):
        assert secret not in text, secret
    assert user("lsg.sokuluk").full_name not in text  # the owner person of the decision
    assert user("coordinator.sokuluk").full_name not in text
    printed = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.action == AuditAction.MINUTES_PRINTED, AuditEvent.object_id == scheduled.id))
    assert printed == 1


def test_minutes_follow_the_language(login_as, new_case, user, meeting):
    scheduled, _case = _meeting_with_a_decision(new_case, user, meeting)
    client = login_as("coordinator.sokuluk")
    russian = _text(client.get(f"/meetings/{pid(scheduled)}/minutes.pdf?lang=ru").data)
    english = _text(client.get(f"/meetings/{pid(scheduled)}/minutes.pdf?lang=en").data)
    assert "Повестка дня" in russian
    assert "Agenda" in english and "Повестка дня" not in english


def test_demo_minutes_hold_no_personal_data(login_as, user):
    """Every demo meeting's minutes, checked against all its cases' people."""
    from coordination.meetings.models import Meeting

    client = login_as("coordinator.karasuu")
    committee = user("coordinator.karasuu").agency_id
    for meeting in db.session.scalars(sa.select(Meeting).where(
            Meeting.committee_id == committee)):
        text = _text(client.get(f"/meetings/{pid(meeting)}/minutes.pdf?lang=ky").data)
        cases = [item.case for item in meeting.agenda]
        cases += [decision.case for decision in meeting.decisions]
        assert cases
        for case in cases:
            assert case.reference in text
        for secret in _identifying_strings(cases):
            assert secret not in text, secret


def _labels(**overrides) -> MinutesLabels:
    values = dict(title="Жыйындын протоколу", date="Күнү", place="Орун", status="Абалы",
                  attending="Катышкан мекемелер", review="Мурунку", agenda="Күн тартиби",
                  decisions="Чечимдер", case="Иш", reasons="Себептер", action="Иш-чара",
                  owner="Аткаруучу мекеме", due="Аткаруу мөөнөтү", none="Жок.",
                  footer="Каттоо номерлери гана", page="%(page)s-бет")
    return MinutesLabels(**{**values, **overrides})


def test_renderer_embeds_its_fonts_and_escapes_text():
    minutes = Minutes(
        labels=_labels(), committee="Комитет <b>&", date="1-декабрь, 10:00", place="Зал",
        status="Өткөрүлдү", attending=["ОВД"],
        review=[ActionRow("DV-2026-AAAAAA", "Текшерүү", "ОВД", "1-дек.")],
        agenda=[AgendaRow("DV-2026-BBBBBB", "Тобокелдиктин жогорку деңгээли")],
        decisions=[ActionRow("DV-2026-BBBBBB", "a < b & c", "Соц. коргоо", "5-дек.")],
    )
    pdf = render_minutes(minutes)
    assert pdf.startswith(b"%PDF")
    assert render_minutes(minutes) == pdf  # the same data gives the same bytes
    fonts = PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/Font"]
    for font in (reference.get_object() for reference in fonts.values()):
        assert "DejaVuSans" in font["/BaseFont"]  # no standard font the reader must have
        assert "/FontFile2" in font["/FontDescriptor"].get_object()  # embedded
    text = _text(pdf)
    assert "Комитет <b>&" in text
    assert "a < b & c" in text
    assert "DV-2026-AAAAAA" in text and "1-бет" in text
    empty = _text(render_minutes(Minutes(labels=_labels(), committee="К", date="д",
                                         place="з", status="с")))
    assert empty.count("Жок.") == 4


def test_exports_import_nothing_from_coordination():
    code = ("import sys, exports.minutes; "
            "sys.exit(any(m.split('.')[0] == 'coordination' for m in sys.modules))")
    subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, check=True)
