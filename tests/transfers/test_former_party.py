"""After a move, the former lead and committee read what their own agency did:
not what the new district did after the move, nor what other agencies did
before it; until the case is closed (issue 16, item 5)."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from coordination import policy
from coordination.cases import services as case_services
from coordination.cases.models import (
    Case,
    CaseStatus,
    IncidentPlace,
    Reporter,
    ViolenceForm,
)
from coordination.cases.page import page_options
from coordination.documents.models import CaseDocument, DocumentKind, MediaType
from coordination.extensions import db
from coordination.followups import services as followup_services
from coordination.models_base import utcnow
from coordination.notes import services as note_services
from coordination.notes.models import NoteVisibility
from coordination.referrals import services as referral_services
from coordination.referrals.models import (
    LegalGround,
    Priority,
    Referral,
    ReferralService,
    ReferralStatus,
)
from coordination.refusals import NotFound
from coordination.transfers import services
from tests.helpers import login, pid
from tests.transfers.test_transfers import KARASUU, _propose, moving_case  # noqa: F401

FORMER = ("social.sokuluk", "coordinator.sokuluk")


def _incident(user_, case, day: date):
    return case_services.record_incident(user_, case, case_services.IncidentData(
        occurred_on=day, forms=[ViolenceForm.PSYCHOLOGICAL],
        place=IncidentPlace("shared_home"), reported_by=Reporter("survivor")))


def _note(user_, case, text: str, visibility=NoteVisibility.INVOLVED):
    return note_services.add_note(user_, case, note_services.NoteData(
        date(2026, 11, 1), visibility, text))


def _follow_up(user_, case, action: str, owner_id: int):
    return followup_services.add_follow_up(user_, case, followup_services.FollowUpData(
        action=action, owner_agency_id=owner_id, due_on=date(2026, 12, 20),
        legal_ground=LegalGround.DANGER_TO_LIFE))


def _referral(user_, case, to_agency_id: int):
    return referral_services.send_referral(
        user_, case, to_agency_id, ReferralService.OTHER, None,
        legal_ground=LegalGround.DANGER_TO_LIFE)


def _declined_referral(sender, case, receiver, reason: str):
    """A referral ``receiver`` declined: its own, without a standing on the case."""
    referral = _referral(sender, case, receiver.agency_id)
    referral_services.move_referral(receiver, referral, "decline", referral.version, reason)
    return referral


def _document(user_, case, title: str) -> CaseDocument:
    document = CaseDocument(case_id=case.id, kind=DocumentKind.OTHER, title=f"{title}.pdf",
                            media_type=MediaType.PDF, size=4, sha256="0" * 64,
                            stored_name=f"{title}-stored",
                            agency_id=user_.agency_id, uploaded_by_id=user_.id)
    db.session.add(document)
    return document


@pytest.fixture
def moved_with_history(moving_case, user, agency):  # noqa: F811
    """Sokuluk work by the former lead, the committee and the police; the move
    to Kara-Suu; then Kara-Suu's own work."""
    case = moving_case
    police, social = user("police.sokuluk"), user("social.sokuluk")
    committee, health = user("coordinator.sokuluk"), user("health.sokuluk")
    own = {
        "social.sokuluk": {
            "referral": _declined_referral(police, case, social, "Declined by the former lead"),
            "follow_up": _follow_up(social, case, "Social worker's visit",
                                    agency("SOKULUK-SOCIAL").id),
            "incident": _incident(social, case, date(2026, 10, 11)),
            "note": _note(social, case, "Note of the former lead"),
            "document": _document(social, case, "social-certificate"),
        },
        "coordinator.sokuluk": {
            "referral": _declined_referral(police, case, committee,
                                           "Declined by the former committee"),
            "follow_up": _follow_up(committee, case, "Committee's check on the family",
                                    agency("SOKULUK-HEALTH").id),
            "incident": _incident(committee, case, date(2026, 10, 12)),
            "note": _note(committee, case, "Note of the former committee"),
            "document": _document(committee, case, "committee-decision"),
        },
    }
    # The committee's follow-up is done before the move: it stays with the health centre.
    done = own["coordinator.sokuluk"]["follow_up"]
    followup_services.close_follow_up(health, done, True, done.version, "Checked")
    others = {
        "referral": _referral(police, case, agency("SOKULUK-LSG").id),
        "incident": _incident(police, case, date(2026, 10, 13)),
        "note": _note(police, case, "Note of the police before the move"),
        "document": _document(police, case, "police-report"),
    }
    db.session.flush()
    transfer = _propose(social, case, KARASUU)
    services.accept_transfer(user("coordinator.karasuu"), transfer,
                             agency("KARASUU-SOCIAL").id)
    db.session.flush()
    db.session.expire_all()
    new_lead = user("social.karasuu")
    after = {
        "follow_up": _follow_up(new_lead, case, "Kara-Suu family visit",
                                agency("KARASUU-HEALTH").id),
        "referral": _referral(new_lead, case, agency("KARASUU-HEALTH").id),
        "incident": _incident(new_lead, case, date(2026, 11, 20)),
        "note": _note(new_lead, case, "Note of Kara-Suu after the move"),
        "document": _document(new_lead, case, "karasuu-plan"),
    }
    db.session.flush()
    db.session.expire_all()
    return case, own, others, after


def _read(user_, case) -> tuple[Case, list, list]:
    """The case as its page loads it for ``user_``, with the notes and documents."""
    from coordination.documents.services import readable_documents

    db.session.expire_all()
    loaded = case_services.read_case_or_404(user_, case.id, options=page_options())
    return (loaded, note_services.readable_notes(user_, loaded),
            readable_documents(user_, loaded))


def _signed_in(browser, username: str):
    client = browser()
    assert login(client, username).status_code == 302
    return client


def _ids(items) -> set[int]:
    return {item.id for item in items}


def test_a_former_party_reads_only_what_its_agency_did(moved_with_history, user):
    case, own, others, after = moved_with_history
    for username in FORMER:
        former = user(username)
        mine = own[username]
        assert policy.case_reading(former, case) is policy.CaseReading.AS_FORMER_PARTY
        loaded, notes, documents = _read(former, case)
        assert _ids(loaded.referrals) == {mine["referral"].id}, username
        assert _ids(loaded.follow_ups) == {mine["follow_up"].id}, username
        assert _ids(loaded.incidents) == {mine["incident"].id}, username
        assert _ids(notes) == {mine["note"].id}, username
        assert _ids(documents) == {mine["document"].id}, username
        assert loaded.people == [] and loaded.consents == []
        assert {event.agency_id for event in loaded.timeline} == {former.agency_id}
        assert [t.to_district.code for t in loaded.transfers] == [KARASUU]
        for action in (policy.Action.VIEW_RESTRICTED, policy.Action.READ_WHOLE_CASE):
            assert not policy.can(former, action, loaded), (username, action)
        for item in (*others.values(), *after.values()):
            assert item not in (*loaded.referrals, *loaded.follow_ups, *loaded.incidents,
                                *notes, *documents), (username, item)
    # Who works on the case reads it all: the new lead, and the police who opened it.
    for username in ("social.karasuu", "police.sokuluk"):
        reader = user(username)
        assert policy.case_reading(reader, case) is policy.CaseReading.IN_FULL
        loaded, notes, _documents = _read(reader, case)
        assert {after["referral"].id, others["referral"].id} <= _ids(loaded.referrals)
        assert after["note"].id in _ids(notes) and others["note"].id in _ids(notes)


def test_the_case_page_of_a_former_party(moved_with_history, browser):
    case, _own, _others, _after = moved_with_history
    for username in FORMER:
        page = _signed_in(browser, username).get(f"/cases/{pid(case)}")
        assert page.status_code == 200
        text = page.text
        assert case.reference in text and case.survivor_code in text
        mine, theirs = (("Note of the former lead", "Social worker&#39;s visit",
                         "Declined by the former lead"),
                        ("Note of the former committee", "Committee&#39;s check on the family",
                         "Declined by the former committee"))[::1 if username == FORMER[0]
                                                                     else -1]
        for shown in mine:
            assert shown in text, (username, shown)
        for hidden in (*theirs, "Note of the police before the move",
                       "Note of Kara-Suu after the move", "Kara-Suu family visit",
                       "Нургүл", 'id="people"', 'id="consent"'):
            assert hidden not in text, (username, hidden)
        assert "Kara-Suu" in text or "Кара-Суу" in text  # where the case went


def test_involved_now_reads_in_full(moved_with_history, user, agency):
    """A former party with work on the case now (a referral it received,
    still open) reads it as before the move."""
    case, _own, _others, _after = moved_with_history
    social, new_lead = user("social.sokuluk"), user("social.karasuu")
    # Not offered by the form (it serves Sokuluk): sent when the survivor went back to visit.
    now = utcnow()
    db.session.add(Referral(
        case_id=case.id, from_agency_id=new_lead.agency_id, to_agency_id=social.agency_id,
        service=ReferralService.OTHER, priority=Priority.NORMAL, status=ReferralStatus.SENT,
        legal_ground=LegalGround.DANGER_TO_LIFE, sent_by_id=new_lead.id, sent_at=now,
        respond_by=now + timedelta(days=1)))
    db.session.flush()
    db.session.expire_all()
    assert policy.case_reading(social, case) is policy.CaseReading.IN_FULL
    assert policy.can(social, policy.Action.READ_WHOLE_CASE, case)
    committee = user("coordinator.sokuluk")
    assert policy.case_reading(committee, case) is policy.CaseReading.AS_FORMER_PARTY


def test_after_closure_the_former_party_no_longer_sees_the_case(moved_with_history, browser,
                                                                user):
    case, _own, _others, _after = moved_with_history
    case.status = CaseStatus.CLOSED
    db.session.flush()
    for username in FORMER:
        former = user(username)
        assert not policy.can(former, policy.Action.VIEW_CASE, db.session.get(Case, case.id))
        assert not db.session.scalar(sa.select(sa.func.count()).where(
            Case.id == case.id, policy.case_visibility(former)))
        assert _signed_in(browser, username).get(f"/cases/{pid(case)}").status_code == 404



def test_a_former_party_opens_by_id_only_its_own_referrals(moved_with_history, user):
    """The loaders by id (the API's referral) follow the same reading."""
    case, own, others, after = moved_with_history
    for username in FORMER:
        former = user(username)
        mine = own[username]["referral"]
        assert referral_services.get_referral_or_404(former, mine.id) == mine
        for theirs in (others["referral"], after["referral"]):
            with pytest.raises(NotFound):
                referral_services.get_referral_or_404(former, theirs.id)
    new_lead = user("social.karasuu")
    assert referral_services.get_referral_or_404(new_lead, others["referral"].id)


def _assessed_high_in_karasuu(case, user):
    from coordination.risk import services as risk

    risk.assess(user("social.karasuu"), case, set(risk.questions()[:15]))
    db.session.flush()
    db.session.expire_all()


def _list_rows(client, query: str = "") -> str:
    page = client.get(f"/cases{query}")
    assert page.status_code == 200
    return page.text


def test_the_case_list_shows_a_former_party_no_current_risk(moved_with_history, user,
                                                             browser):
    """Kara-Suu's assessment is not the Sokuluk committee's to read: its row
    shows no level, and the high-risk filter does not list the case."""
    case, _own, _others, _after = moved_with_history
    _assessed_high_in_karasuu(case, user)
    assert db.session.get(Case, case.id).risk_level.value == "high"
    former = _signed_in(browser, "coordinator.sokuluk")
    rows = _list_rows(former)
    row = rows[rows.index(case.reference):]
    row = row[:row.index("</tr>")]
    assert "risk-high" not in row and "—" in row
    assert case.reference not in _list_rows(former, "?risk=high")
    assert policy.cases_read_as_former_party(user("coordinator.sokuluk"), [case.id]) \
        == {case.id}
    # Who reads the case in full still sees and filters by its level.
    for username in ("social.karasuu", "police.sokuluk"):
        reader = _signed_in(browser, username)
        listed = _list_rows(reader, "?risk=high")
        assert case.reference in listed, username
        row = listed[listed.index(case.reference):]
        assert "risk-high" in row[:row.index("</tr>")], username


def test_a_former_party_finds_the_case_by_its_reference_not_by_names(moved_with_history,
                                                                       browser):
    case, own, _others, after = moved_with_history
    after["incident"].crime_register_number = "KS-2026-7731"
    own["coordinator.sokuluk"]["incident"].crime_register_number = "SK-2026-4410"
    db.session.flush()
    former = _signed_in(browser, "coordinator.sokuluk")
    for text in ("Токтосунова", "Нургүл", "KS-2026-7731"):
        assert case.reference not in _list_rows(former, f"?q={text}"), text
    for text in (case.reference, case.survivor_code, "SK-2026-4410"):
        assert case.reference in _list_rows(former, f"?q={text}"), text
    # The new lead, reading in full, finds it by the survivor's name.
    assert case.reference in _list_rows(_signed_in(browser, "social.karasuu"),
                                        "?q=Токтосунова")


def test_the_referral_letter_of_a_former_party_names_no_one(moved_with_history, user,
                                                            browser):
    """As its case page, a former party's printed letter holds no person and
    no current risk level; the police, reading the case in full, print the
    names."""
    from tests.printing.test_printing import _printed

    case, own, others, _after = moved_with_history
    _assessed_high_in_karasuu(case, user)
    for username in FORMER:
        referral = own[username]["referral"]
        text = _printed(_signed_in(browser, username), f"/referrals/{pid(referral)}/letter.pdf")
        assert case.reference in text, username
        for hidden in ("Токтосунова", "Нургүл", "High"):
            assert hidden not in text, (username, hidden)
    text = _printed(_signed_in(browser, "police.sokuluk"),
                    f"/referrals/{pid(others['referral'])}/letter.pdf")
    assert "Токтосунова" in text


def test_the_api_gives_a_former_party_no_current_risk(moved_with_history, user, browser):
    """The former lead's system reads the case as its staff do: no level."""
    from coordination.api import clients
    from coordination.api.models import Scope
    from tests.api.conftest import bearer

    case, _own, _others, _after = moved_with_history
    _assessed_high_in_karasuu(case, user)

    def risk_of(username: str) -> tuple[object, object]:
        agency_id = user(username).agency_id
        _client, token = clients.register(user("admin"), clients.ClientData(
            name=f"{username} system", agency_id=agency_id,
            scopes=frozenset({Scope.READ_CASES})))
        db.session.flush()
        api = browser()
        listed = api.get("/api/v1/cases?limit=100", headers=bearer(token)).json["items"]
        one = api.get(f"/api/v1/cases/{pid(case)}", headers=bearer(token)).json
        return (next(item["risk_level"] for item in listed if item["reference"] == case.reference),
                one["risk_level"])

    assert risk_of("social.sokuluk") == (None, None)
    assert risk_of("police.sokuluk") == ("high", "high")


def test_the_order_record_a_former_committee_prints_names_no_one(moved_with_history, user,
                                                                  browser):
    """The court order the Sokuluk committee recorded, ended before the move:
    its record, printed by that committee now, holds no person."""
    from coordination.protection.models import OrderKind, ProtectionOrder
    from tests.printing.test_printing import _printed

    case, _own, _others, _after = moved_with_history
    committee = user("coordinator.sokuluk")
    order = ProtectionOrder(
        case_id=case.id, kind=OrderKind.COURT, issuing_agency_id=committee.agency_id,
        issued_at=datetime(2026, 9, 1), valid_until=datetime(2026, 10, 1),
        recorded_by_id=committee.id)
    db.session.add(order)
    db.session.flush()
    db.session.expire_all()
    assert policy.case_reading(committee, db.session.get(Case, case.id)) \
        is policy.CaseReading.AS_FORMER_PARTY
    text = _printed(_signed_in(browser, "coordinator.sokuluk"), f"/orders/{pid(order)}/record.pdf")
    assert case.reference in text
    assert "Токтосунова" not in text and "Нургүл" not in text


def test_a_former_party_still_finds_its_other_cases_by_any_register_number(
        moved_with_history, user, browser):
    """Being a former party of one case restricts the search on that case
    alone: another Sokuluk case the committee reads in full is found by the
    number of an incident the police recorded (the predicate is correlated to
    each case, not asked of every case at once)."""
    from coordination.accounts.models import User
    from coordination.cases.models import Incident

    moved, _own, _others, _after = moved_with_history
    committee = user("coordinator.sokuluk")
    incident = db.session.scalar(
        sa.select(Incident).join(Case, Case.id == Incident.case_id)
        .where(Case.id != moved.id, Case.id.in_(
            policy.visible_cases(committee).with_only_columns(Case.id)),
               Incident.recorded_by_id.not_in(
                   sa.select(User.id).where(User.agency_id == committee.agency_id)))
        .order_by(Incident.id).limit(1))
    assert incident is not None
    incident.crime_register_number = "PL-2026-5512"
    db.session.flush()
    other = db.session.get(Case, incident.case_id)
    assert policy.cases_read_as_former_party(committee, [moved.id, other.id]) == {moved.id}
    former = _signed_in(browser, "coordinator.sokuluk")
    assert other.reference in _list_rows(former, "?q=PL-2026-5512")
