"""Full minutes: attendees by name and position, chair and secretary, absent
agencies, a discussion note per case (never a name), the agenda printed before."""
from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from coordination.audit.models import AuditAction, AuditEvent
from coordination.cases.models import RiskLevel
from coordination.extensions import db
from coordination.meetings import record, services
from coordination.meetings.models import AttendeeRole
from coordination.refusals import Forbidden, RuleBroken
from tests.helpers import pid, post_form
from tests.workflow.conftest import NOW


def _text(pdf: bytes) -> str:
    """The PDF's text with runs of white space made one space: a table cell
    wraps its text where the column's width (which the other rows set) ends."""
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return " ".join(text.split())


@pytest.fixture
def agenda_meeting(new_case, user, meeting):
    case = new_case()
    case.risk_level = RiskLevel.HIGH
    db.session.flush()
    scheduled = meeting()
    if case not in [item.case for item in scheduled.agenda]:
        services.add_agenda_case(user("coordinator.sokuluk"), scheduled, case.reference, now=NOW)
    db.session.flush()
    return scheduled, case


def _item(scheduled, case):
    return next(item for item in scheduled.agenda if item.case_id == case.id)


def test_attendees_chair_secretary_and_absent_agencies_in_the_minutes(
        agenda_meeting, user, login_as, agency):
    scheduled, case = agenda_meeting
    coordinator = user("coordinator.sokuluk")
    police = agency("SOKULUK-POLICE")
    record.add_attendee(coordinator, scheduled, record.AttendeeData(
        "Айнура Сатыбалдиева", "Committee coordinator", coordinator.agency_id,
        AttendeeRole.CHAIR))
    record.add_attendee(coordinator, scheduled, record.AttendeeData(
        "Гүлзат Бекова", "Specialist", coordinator.agency_id, AttendeeRole.SECRETARY))
    record.add_attendee(coordinator, scheduled, record.AttendeeData(
        "Бакыт Осмонов", "District police inspector", police.id))
    with pytest.raises(RuleBroken):  # one chair
        record.add_attendee(coordinator, scheduled, record.AttendeeData(
            "Someone", "Deputy", None, AttendeeRole.CHAIR))
    with pytest.raises(RuleBroken):  # an agency outside the territory
        record.add_attendee(coordinator, scheduled, record.AttendeeData(
            "Someone", "Deputy", agency("KARASUU-POLICE").id))
    with pytest.raises(Forbidden):
        record.add_attendee(user("coordinator.karasuu"), scheduled, record.AttendeeData(
            "Someone", "Deputy"))
    services.record_attendance(coordinator, scheduled, [coordinator.agency_id, police.id],
                               scheduled.version, now=NOW)
    record.note_discussion(coordinator, _item(scheduled, case),
                           f"{case.reference}: safety plan reviewed, visit agreed.")
    db.session.commit()

    client = login_as("coordinator.sokuluk")
    text = _text(client.get(f"/meetings/{pid(scheduled)}/minutes.pdf?lang=en").data)
    assert "Chair: Айнура Сатыбалдиева, Committee coordinator" in text
    assert "Secretary: Гүлзат Бекова, Specialist" in text
    assert "Бакыт Осмонов" in text and "District police inspector" in text
    assert "Invited agencies absent" in text
    assert agency("SOKULUK-HEALTH").name.split()[0] in text  # absent, named
    assert "safety plan reviewed, visit agreed." in text
    for person in case.people:
        assert person.last_name not in text


@pytest.mark.parametrize("spelling", ["{last}", "{latin}", "Visited {first} at home"])
def test_a_note_naming_a_person_on_the_case_is_refused(agenda_meeting, user, spelling):
    scheduled, case = agenda_meeting
    survivor = case.people[0]
    from coordination.cases.folding import fold_word
    note = spelling.format(last=survivor.last_name, first=survivor.first_name,
                           latin=fold_word(survivor.last_name).capitalize())
    with pytest.raises(RuleBroken) as refused:
        record.note_discussion(user("coordinator.sokuluk"), _item(scheduled, case), note)
    assert refused.value.field == "note"
    assert _item(scheduled, case).discussion_note is None


def test_attendee_routes_and_the_agenda_printed_before_the_meeting(agenda_meeting, login_as):
    scheduled, case = agenda_meeting
    client = login_as("coordinator.sokuluk")
    page = f"/meetings/{pid(scheduled)}"
    added = post_form(client, f"{page}/attendees",
                      {"name": "Айнура Сатыбалдиева", "position": "Coordinator", "agency": "",
                       "role": "secretary"}, token_from=page)
    assert added.status_code == 302
    assert "Айнура Сатыбалдиева" in client.get(page).text
    db.session.expire_all()
    attendee = db.session.get(type(scheduled), scheduled.id).attendees[0]
    removed = post_form(client, f"{page}/attendees/remove", {"attendee": attendee.id},
                        token_from=page)
    assert removed.status_code == 302
    db.session.expire_all()
    assert db.session.get(type(scheduled), scheduled.id).attendees == []

    response = client.get(f"{page}/agenda.pdf?lang=ky")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = _text(response.data)
    assert case.reference in text
    assert "Комитеттин жыйынынын күн тартиби" in text
    printed = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.action == AuditAction.AGENDA_PRINTED, AuditEvent.object_id == scheduled.id))
    assert printed == 1
