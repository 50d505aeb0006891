"""The request pipeline: one commit point, authorization before the payload,
one family of refusals.

The empty-body sweep posts to every step route, as every demo user, first
with nothing but the CSRF token and then with a body the route's form
accepts: whether the user may act must not depend on what they sent, so a
403 or 404 for one body is the same answer for the other. (Where one route
has several buttons, the button pressed names the action, as a URL would:
the valid body presses the one the user has.)
"""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import g

from coordination import policy
from coordination.agencies.models import Agency, AgencyType
from coordination.cases.models import Case, Incident, Person
from coordination.consent.models import ConsentRecord
from coordination.demo import demo_usernames
from coordination.extensions import db
from coordination.followups.models import FollowUp
from coordination.followups.section import OUTCOME_ACTIONS, follow_up_steps
from coordination.meetings.models import AgendaItem, Meeting
from coordination.models_base import utcnow
from coordination.pipeline import UnexpectedWrite, conclude
from coordination.programmes.models import CorrectionalProgramme
from coordination.protection.models import ProtectionOrder
from coordination.referrals.models import Referral
from coordination.referrals.section import referral_steps
from coordination.referrals.services import TRANSITIONS
from coordination.territories.models import Territory
from tests.documents.test_documents import _png
from tests.helpers import csrf_token, opaque, pid
from tests.test_access_matrix import POST_ROUTES, proposed_transfer, written_note

DISTRICTS = {"sokuluk": "41708222", "karasuu": "41706226"}
#: The model of the object each step route names in its URL.
OBJECT_MODELS = {
    "consent.withdraw": ConsentRecord, "referrals.take_step": Referral,
    "followups.close": FollowUp, "followups.undo_done": FollowUp,
    "cases.correct_person": Person, "cases.correct_incident": Incident,
    "protection.change": ProtectionOrder,
    "protection.violation": ProtectionOrder, "programmes.move": CorrectionalProgramme,
    "order_checks.record": ProtectionOrder, "order_checks.answer_extension": ProtectionOrder,
    "meetings.remove_item": AgendaItem, "meetings.note": AgendaItem,
}


def _district_of(username: str) -> str:
    return DISTRICTS.get(username.rsplit(".", 1)[-1], DISTRICTS["sokuluk"])


def _first(query):
    found = db.session.scalar(query.limit(1))
    assert found is not None, query
    return found


def _case(code: str) -> Case:
    return _first(sa.select(Case).join(Case.district).where(Territory.code == code)
                  .order_by(Case.id))


def _object(endpoint: str, code: str):
    model = OBJECT_MODELS[endpoint]
    return _first(sa.select(model).join(Case, Case.id == model.case_id)
                  .join(Territory, Territory.id == Case.district_id)
                  .where(Territory.code == code).order_by(model.id))


def _meeting(code: str) -> Meeting:
    committee = "SOKULUK-COMMITTEE" if code == DISTRICTS["sokuluk"] else "KARASUU-COMMITTEE"
    return _first(sa.select(Meeting).join(Agency, Agency.id == Meeting.committee_id)
                  .where(Agency.code == committee).order_by(Meeting.id.desc()))


def _target(endpoint: str, code: str):
    """The object the URL names, in the user's own district."""
    if endpoint == "notes.edit":
        return written_note(code)
    if endpoint.startswith("transfers.") and endpoint != "transfers.propose":
        return proposed_transfer(code)
    if endpoint.startswith("triage."):
        return _incoming_report(code)
    if endpoint in OBJECT_MODELS:
        return _object(endpoint, code)
    if endpoint.startswith("meetings.") or endpoint == "documents.upload_to_meeting":
        return _meeting(code)
    return _case(code)


def _incoming_report(code: str):
    """A waiting report of the district (the demo data has none)."""
    from coordination.accounts.models import User
    from coordination.triage.models import IncomingReport, ReportSource

    report = IncomingReport(
        source=ReportSource.FAMILY_LINE_117, received_at=utcnow() - timedelta(hours=1),
        district_id=_first(sa.select(Territory.id).where(Territory.code == code)),
        summary="A neighbour heard shouting", recorded_by_id=_first(sa.select(User.id)))
    db.session.add(report)
    db.session.flush()
    return report


def _url(endpoint: str, target) -> str:
    template = POST_ROUTES[endpoint]
    if endpoint.startswith("triage."):
        return template.replace("/1/", f"/{pid(target)}/")
    if "{case}" in template:
        return opaque(template.format(case=target.id))
    return opaque(template.replace("/1/", f"/{target.id}/"))


def _agency_of(code: str, kind: str) -> int:
    prefix = "SOKULUK" if code == DISTRICTS["sokuluk"] else "KARASUU"
    return db.session.scalar(sa.select(Agency.id).where(Agency.code == f"{prefix}-{kind}"))


def _button(endpoint: str, subject, target) -> dict:
    """Routes whose buttons select the action (a referral's accept, decline...):
    the button the user has, or the receiver's when they have none."""
    if endpoint == "referrals.take_step":
        held = [name for name, transition in TRANSITIONS.items()
                if policy.can(subject, transition.action, target)]
        return {"step": (referral_steps(subject, target) or held or ["accept"])[0]}
    if endpoint == "followups.close":
        held = [outcome for outcome, action in OUTCOME_ACTIONS.items()
                if policy.can(subject, action, target)]
        return {"outcome": (follow_up_steps(subject, target) or held or ["done"])[0]}
    police = subject.agency.type == AgencyType.POLICE
    if endpoint == "protection.record":  # the kind of order the user's agency records
        return {"kind": "temporary"} if police else {"kind": "court", "months": 1}
    if endpoint == "referrals.send" and police:  # never to one's own agency
        return {"to_agency": _agency_of(_district_of(subject.username), "SOCIAL")}
    return {}


def _valid_body(endpoint: str, target, code: str) -> dict:
    """A body the route's form accepts (what a permitted user would send)."""
    day = (utcnow() - timedelta(days=1)).date()
    moment = (utcnow() - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    version = getattr(target, "version", 1)
    police, social = _agency_of(code, "POLICE"), _agency_of(code, "SOCIAL")
    bodies = {
        "cases.change_status": {"status": "monitoring", "closure_reason": "",
                                "version": version},
        "cases.reassign_lead": {"lead_agency": social, "version": version},
        "consent.add": {"scope": "sharing", "agency_type": "health"},
        "consent.withdraw": {},
        "referrals.send": {"to_agency": police, "service": "police_protection",
                           "priority": "urgent", "legal_ground": "danger_to_life"},
        "referrals.take_step": {"step": "accept", "version": version, "note": "—"},
        "followups.add": {"action": "Home visit", "owner_agency": social, "owner_user": "",
                          "due_on": (day + timedelta(days=10)).isoformat()},
        "followups.close": {"outcome": "done", "version": version, "note": "Visited"},
        "followups.undo_done": {"version": version},
        "cases.add_person": {"role": "child", "last_name": "Asanova", "first_name": "Aiya",
                             "sex": "female", "birth_year": 2019, "relationship": ""},
        "cases.correct_person": {"last_name": "Asanova", "first_name": "Aiya",
                                 "sex": "female", "birth_year": 1990, "relationship": "",
                                 "version": version},
        "cases.correct_incident": {f"incident{target.id}-incident-occurred_on":
                                   day.isoformat(),
                                   f"incident{target.id}-incident-forms": "psychological",
                                   f"incident{target.id}-incident-place": "public_place",
                                   f"incident{target.id}-incident-reported_by": "survivor",
                                   f"incident{target.id}-version": version},
        "cases.record_incident": {"incident-occurred_on": day.isoformat(),
                                  "incident-forms": "psychological",
                                  "incident-place": "shared_home",
                                  "incident-reported_by": "survivor"},
        "risk.assess": {"yes": ["weapons", "threats_to_kill"], "raised_to": "", "reason": ""},
        "protection.record": {"kind": "temporary", "issued_at": moment,
                              "prohibitions": "prohibits_violence"},
        "protection.change": {"step": "revoke", "version": version, "reason": "Court"},
        "protection.violation": {"occurred_at": moment},
        "order_checks.record": {"method": "visit", "outcome": "kept", "stated_at": moment,
                                "note": "", "corrects": ""},
        "order_checks.answer_extension": {"answer": "refused"},
        "programmes.refer": {"provider": social},
        "programmes.move": {"step": "start", "on": day.isoformat(), "version": version},
        "notifications.mark_read": {},
        "meetings.reschedule": {"scheduled_for": moment, "place": "Hall", "version": version},
        "meetings.cancel": {"version": version},
        "meetings.propose": {},
        "meetings.add_case": {"reference": "DV-2026-000000"},
        "meetings.remove_item": {},
        "meetings.attendance": {"agencies": [police], "version": version},
        "meetings.add_decision": {"case": _agenda_case(target), "action": "Safety plan",
                                  "owner_agency": social,
                                  "owner_user": "",
                                  "due_on": (day + timedelta(days=10)).isoformat()},
        "meetings.mark_held": {"version": version},
        "documents.upload": {"kind": "certificate", "about": "",
                             "file": (io.BytesIO(_png()), "scan.png")},
        "documents.upload_to_meeting": {"kind": "other",
                                        "file": (io.BytesIO(_png()), "sheet.png")},
        "notes.add": {"dated_on": day.isoformat(), "visibility": "involved",
                      "text": "Called her sister."},
        "notes.edit": {f"note{target.id}-dated_on": day.isoformat(),
                       f"note{target.id}-visibility": "own_agency",
                       f"note{target.id}-text": "Called her sister twice.",
                       f"note{target.id}-version": version},
        "safety.save": {"safe_contacts": "Her sister", "signals": "A call about bread",
                        "review_on": (day + timedelta(days=10)).isoformat()},
        "meetings.add_attendee": {"name": "Айнура Сатыбалдиева", "position": "Coordinator",
                                  "agency": "", "role": "member"},
        "meetings.remove_attendee": {"attendee": 0},
        "meetings.note": {"note": "The safety plan is reviewed; the visit goes ahead."},
        "transfers.propose": {"to_district": _other_district(code), "note": "",
                              "version": version},
        "transfers.accept": {"lead_agency": _agency_of(_other_code(code), "SOCIAL")},
        "transfers.decline": {"reason": "She has not arrived"},
        "transfers.cancel": {},
        "triage.attach": {f"attach-{target.id}-version": version,
                          f"attach-{target.id}-reference": _case(code).reference},
        "triage.close": {f"close-{target.id}-version": version,
                         f"close-{target.id}-reason": "false_report"},
    }
    return bodies[endpoint]


def _other_code(code: str) -> str:
    return DISTRICTS["karasuu"] if code == DISTRICTS["sokuluk"] else DISTRICTS["sokuluk"]


def _other_district(code: str) -> int:
    return db.session.scalar(sa.select(Territory.id).where(Territory.code == _other_code(code)))


def _agenda_case(meeting) -> int:
    return meeting.agenda_items[0].case_id if getattr(meeting, "agenda_items", None) else 1


def test_the_sweep_covers_every_step_route():
    assert set(POST_ROUTES) == {
        "cases.change_status", "cases.reassign_lead", "consent.add", "consent.withdraw",
        "referrals.send", "referrals.take_step", "followups.add", "followups.close",
        "followups.undo_done", "cases.add_person", "cases.correct_person",
        "cases.correct_incident",
        "cases.record_incident", "risk.assess", "protection.record", "protection.change",
        "protection.violation", "order_checks.record", "order_checks.answer_extension",
        "programmes.refer", "programmes.move",
        "notifications.mark_read", "meetings.reschedule", "meetings.cancel",
        "meetings.propose", "meetings.add_case", "meetings.remove_item",
        "meetings.attendance", "meetings.add_decision", "meetings.mark_held",
        "documents.upload", "documents.upload_to_meeting", "notes.add", "notes.edit",
        "safety.save", "transfers.propose", "transfers.accept", "transfers.decline",
        "transfers.cancel",
        "meetings.add_attendee", "meetings.remove_attendee", "meetings.note",
        "triage.attach", "triage.close"}


@pytest.mark.parametrize("username", demo_usernames())
@pytest.mark.parametrize("endpoint", sorted(POST_ROUTES))
def test_a_refusal_does_not_depend_on_the_body(login_as, user, username, endpoint):
    client = login_as(username)
    token = csrf_token(client.get("/profile").text)
    code = _district_of(username)
    target = _target(endpoint, code)
    url = _url(endpoint, target)
    body = {**_valid_body(endpoint, target, code), **_button(endpoint, user(username), target)}
    # "confirmed": like the token, a protocol field of the irreversible steps
    # (issue 15), not part of the payload whose absence is swept here.
    empty = client.post(url, data={"csrf_token": token, "confirmed": "1"}).status_code
    if endpoint == "transfers.cancel" and empty == 302:
        # Its empty body is the whole request (one button): the first post
        # withdrew the transfer, so the full one goes to a fresh proposal.
        url = _url(endpoint, _target(endpoint, code))
    full = client.post(url, data={"csrf_token": token, "confirmed": "1", **body}).status_code
    if 403 in (empty, full) or 404 in (empty, full):
        assert empty == full, (username, endpoint, empty, full)
    else:
        assert empty == full == 302, (username, endpoint, empty, full)


def test_the_reported_case_a_police_officer_changing_a_case_status(login_as):
    """Issue 12: police.sokuluk got a 302 for an empty body and a 403 for a valid one."""
    client = login_as("police.sokuluk")
    token = csrf_token(client.get("/profile").text)
    case = _case(DISTRICTS["sokuluk"])
    url = f"/cases/{pid(case)}/status"
    assert client.post(url, data={"csrf_token": token}).status_code == 403
    assert client.post(url, data={"csrf_token": token, "status": "active",
                                  "version": case.version}).status_code == 403


def test_a_refused_step_changes_nothing_and_says_why_where_the_user_acted(login_as):
    client = login_as("coordinator.sokuluk")
    case = _case(DISTRICTS["sokuluk"])
    before = case.version
    token = csrf_token(client.get(f"/cases/{pid(case)}").text)
    response = client.post(f"/cases/{pid(case)}/status", data={
        "csrf_token": token, "status": case.status.value, "closure_reason": "",
        "version": case.version})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/cases/{pid(case)}"
    page = client.get(response.headers["Location"]).text
    assert "The case already has this status." in page
    db.session.expire_all()
    assert db.session.get(Case, case.id).version == before


def test_a_get_request_that_writes_without_saying_why_fails_loudly(app):
    with app.test_request_context("/cases", method="GET"):
        g.pipeline_flushed = True
        with pytest.raises(UnexpectedWrite):
            conclude()


def test_a_get_request_may_write_what_it_documents(app, login_as, user):
    """The audit of a case view by another agency than the lead is committed."""
    from coordination.audit.models import AuditAction, AuditEvent

    viewer = user("coordinator.sokuluk")
    case = _first(sa.select(Case).join(Case.district)
                  .where(Territory.code == DISTRICTS["sokuluk"],
                         Case.lead_agency_id != viewer.agency_id))
    count = sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.action == AuditAction.CASE_VIEWED, AuditEvent.user_id == viewer.id)
    before = db.session.scalar(count)
    assert login_as("coordinator.sokuluk").get(f"/cases/{pid(case)}").status_code == 200
    assert db.session.scalar(count) == before + 1


def test_an_exception_rolls_the_whole_request_back(app, login_as, monkeypatch):
    """A service that fails after flushing leaves nothing behind."""
    from coordination.cases import services

    client = login_as("coordinator.sokuluk")
    case = _case(DISTRICTS["sokuluk"])
    token = csrf_token(client.get(f"/cases/{pid(case)}").text)
    original = services.record_incident

    def flush_then_fail(*args, **kwargs):
        original(*args, **kwargs)
        raise RuntimeError("after the flush")

    monkeypatch.setattr(services, "record_incident", flush_then_fail)
    count = sa.select(sa.func.count()).select_from(Case).where(Case.id == case.id)
    incidents = len(case.incidents)
    day = (utcnow() - timedelta(days=1)).date().isoformat()
    # The test app propagates unhandled errors (production answers 500).
    with pytest.raises(RuntimeError, match="after the flush"):
        client.post(f"/cases/{pid(case)}/incidents", data={
            "csrf_token": token, "incident-occurred_on": day, "incident-forms": "physical",
            "incident-place": "shared_home", "incident-reported_by": "survivor"})
    db.session.expire_all()
    assert db.session.scalar(count) == 1
    assert len(db.session.get(Case, case.id).incidents) == incidents


def test_refusals_become_problem_details_for_json_clients(login_as):
    client = login_as("police.sokuluk")
    case = _case(DISTRICTS["sokuluk"])
    token = csrf_token(client.get("/profile").text)
    response = client.post(f"/cases/{pid(case)}/status", data={"csrf_token": token},
                           headers={"Accept": "application/json"})
    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == 403
