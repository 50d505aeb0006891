"""Issue 15: the home page's panels, confirmations of irreversible steps,
undoing a mistaken "done"."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from coordination.cases.models import RiskLevel
from coordination.extensions import db
from coordination.followups import services
from coordination.followups.models import FollowUpStatus
from coordination.models_base import utcnow
from coordination.referrals.models import LegalGround
from tests.helpers import csrf_token, login, pid
from tests.workflow.conftest import NOW


@pytest.fixture
def sign_in(app):
    """A new client signed in as ``username`` (two users in one test)."""
    def make(username: str):
        client = app.test_client()
        assert login(client, username).status_code == 302
        return client
    return make


def _add(user, case, owner, due=None):
    # A legal ground: the consent rule (issue 14) asks it of an owner whose
    # type the survivor's consent does not cover.
    return services.add_follow_up(user, case, services.FollowUpData(
        action="Посетить семью", owner_agency_id=owner.id,
        due_on=due or NOW.date() + timedelta(days=1),
        legal_ground=LegalGround.DANGER_TO_LIFE), now=NOW)


# --- the home page ----------------------------------------------------------------------


def test_follow_ups_due_on_the_home_page_overdue_first_with_done_in_place(
        new_case, user, agency, login_as):
    case = new_case()
    coordinator = user("coordinator.sokuluk")
    later = _add(coordinator, case, agency("SOKULUK-LSG"), due=utcnow().date() + timedelta(days=3))
    overdue = _add(coordinator, case, agency("SOKULUK-LSG"), due=NOW.date())
    far = _add(coordinator, case, agency("SOKULUK-LSG"), due=utcnow().date() + timedelta(days=30))
    db.session.commit()
    rows, total = services.due_soon(user("lsg.sokuluk"), utcnow().date(), 1000)
    ids = [f.id for f in rows]
    assert ids.index(overdue.id) < ids.index(later.id) and far.id not in ids
    assert total == len(ids)
    page = login_as("lsg.sokuluk").get("/").text
    panel = page[page.index('id="follow-ups-due"'):]
    panel = panel[:panel.index("</section>")]
    assert f"/followups/{pid(rows[0])}/close" in panel
    assert "Overdue" in panel and 'name="confirmed" value="1"' in panel


def test_high_risk_case_without_an_open_follow_up_is_listed_until_it_has_a_plan(
        new_case, user, agency, login_as, sign_in):
    case = new_case()
    case.risk_level = RiskLevel.HIGH
    db.session.commit()
    client = login_as("social.sokuluk")  # the lead agency
    panel = _panel(client.get("/").text, "high-risk-without-plan")
    assert case.reference in panel
    # The button leads to the case page drawing the follow-up form, open.
    href = f"/cases/{pid(case)}?form=add-follow-up#add-follow-up"
    assert f'href="{href}"' in panel
    assert '<details class="form-disclosure" id="add-follow-up" open>' in client.get(href).text
    _add(user("coordinator.sokuluk"), case, agency("SOKULUK-LSG"))
    db.session.commit()
    assert case.reference not in _panel(client.get("/").text, "high-risk-without-plan")
    # Not the lead, not the committee: not the police's plan to make.
    assert case.reference not in _panel(sign_in("police.sokuluk").get("/").text,
                                        "high-risk-without-plan")


def test_committee_sees_its_next_meeting_and_open_decisions(login_as, sign_in):
    page = login_as("coordinator.sokuluk").get("/").text
    assert 'id="next-meeting"' in page
    assert 'id="next-meeting"' not in sign_in("police.sokuluk").get("/").text


def _panel(page: str, key: str) -> str:
    if f'id="{key}"' not in page:
        return ""
    rest = page[page.index(f'id="{key}"'):]
    return rest[:rest.index("</section>")]


# --- confirmations ----------------------------------------------------------------------


def test_one_post_without_confirmation_marks_nothing_done(new_case, user, agency, login_as):
    case = new_case()
    follow_up = _add(user("coordinator.sokuluk"), case, agency("SOKULUK-LSG"))
    db.session.commit()
    client = login_as("lsg.sokuluk")
    token = csrf_token(client.get(f"/cases/{pid(case)}").text)
    data = {"csrf_token": token, "outcome": "done", "version": follow_up.version,
            "note": "Семья посещена"}
    response = client.post(f"/followups/{pid(follow_up)}/close", data=data)
    assert response.status_code == 200
    assert "Mark the follow-up done" in response.text
    assert 'name="confirmed" value="1"' in response.text
    assert "Семья посещена" in response.text  # carried to the confirmation
    db.session.refresh(follow_up)
    assert follow_up.status == FollowUpStatus.OPEN
    response = client.post(f"/followups/{pid(follow_up)}/close",
                           data={**data, "csrf_token": csrf_token(response.text),
                                 "confirmed": "1"})
    assert response.status_code == 302
    db.session.refresh(follow_up)
    assert follow_up.status == FollowUpStatus.DONE


def test_closing_a_case_needs_confirmation(new_case, login_as):
    case = new_case()
    db.session.commit()
    client = login_as("social.sokuluk")
    token = csrf_token(client.get(f"/cases/{pid(case)}").text)
    response = client.post(f"/cases/{pid(case)}/status", data={
        "csrf_token": token, "status": "closed", "closure_reason": "other",
        "version": case.version})
    assert response.status_code == 200 and "Close the case" in response.text
    db.session.refresh(case)
    assert case.status.value != "closed"


@pytest.mark.parametrize("endpoint,data,title", [
    ("/consent/{consent}/withdraw", {}, "Withdraw consent"),
    ("/orders/{order}/step", {"step": "revoke", "version": 1}, "Revoke the protection order"),
    ("/orders/{order}/step", {"step": "extend", "version": 1}, "Extend the protection order"),
])
def test_consent_and_order_steps_need_confirmation(endpoint, data, title, login_as, sign_in):
    """Against the demo's records: the first POST only asks."""
    import sqlalchemy as sa

    from coordination.consent.models import ConsentRecord
    from coordination.protection.models import OrderKind, ProtectionOrder
    client = login_as("police.sokuluk")
    order = db.session.scalar(sa.select(ProtectionOrder).where(
        ProtectionOrder.kind == OrderKind.TEMPORARY, ProtectionOrder.revoked_at.is_(None),
        ProtectionOrder.extended_at.is_(None)).order_by(ProtectionOrder.id))
    consent = db.session.scalar(sa.select(ConsentRecord).where(
        ConsentRecord.case_id == order.case_id, ConsentRecord.withdrawn_at.is_(None))
        .order_by(ConsentRecord.id))
    if "{consent}" in endpoint and consent is None:
        pytest.skip("no consent on the demo case")
    client = sign_in("coordinator.sokuluk") if "consent" in endpoint else client
    url = endpoint.format(order=pid(order), consent=pid(consent) if consent else "")
    token = csrf_token(client.get(f"/cases/{pid(order.case_id, 'case')}").text)
    before = (order.version, order.revoked_at, consent.withdrawn_at if consent else None)
    response = client.post(url, data={"csrf_token": token, **data})
    assert response.status_code in (200, 403, 404)
    if response.status_code == 200:
        assert title in response.text
    db.session.expire_all()
    assert (order.version, order.revoked_at, consent.withdrawn_at if consent else None) == before


# --- undo ---------------------------------------------------------------------------------


def test_undo_a_mistaken_done_within_the_window_only(new_case, user, agency, login_as, sign_in):
    case = new_case()
    follow_up = _add(user("coordinator.sokuluk"), case, agency("SOKULUK-LSG"))
    db.session.commit()
    client = login_as("lsg.sokuluk")
    token = csrf_token(client.get(f"/cases/{pid(case)}").text)
    client.post(f"/followups/{pid(follow_up)}/close", data={
        "csrf_token": token, "outcome": "done", "version": follow_up.version,
        "note": "Ошибка", "confirmed": "1"})
    db.session.refresh(follow_up)
    assert follow_up.status == FollowUpStatus.DONE
    page = client.get(f"/cases/{pid(case)}").text
    assert f"/followups/{pid(follow_up)}/undo" in page
    # Others never get the undo.
    other = sign_in("coordinator.sokuluk").get(f"/cases/{pid(case)}").text
    assert f"/followups/{pid(follow_up)}/undo" not in other
    response = client.post(f"/followups/{pid(follow_up)}/undo", data={
        "csrf_token": csrf_token(page), "version": follow_up.version})
    assert response.status_code == 302
    db.session.refresh(follow_up)
    assert follow_up.status == FollowUpStatus.OPEN and follow_up.closing_note is None
    kinds = [e.kind.value for e in case.timeline]
    assert "follow_up_reopened" in kinds


def test_undo_refused_after_the_window(new_case, user, agency):
    from coordination.refusals import RuleBroken
    case = new_case()
    lsg = user("lsg.sokuluk")
    follow_up = _add(user("coordinator.sokuluk"), case, agency("SOKULUK-LSG"))
    services.close_follow_up(lsg, follow_up, True, follow_up.version, "Сделано", now=NOW)
    with pytest.raises(RuleBroken, match="too late"):
        services.undo_done(lsg, follow_up, follow_up.version,
                           now=NOW + timedelta(minutes=11))
    assert follow_up.status == FollowUpStatus.DONE
    services.undo_done(lsg, follow_up, follow_up.version, now=NOW + timedelta(minutes=9))
    assert follow_up.status == FollowUpStatus.OPEN


# --- safe defaults ------------------------------------------------------------------------


def test_referral_priority_is_derived_from_the_service_and_the_risk():
    from coordination.referrals.models import Priority, ReferralService
    from coordination.referrals.services import derived_priority
    assert derived_priority(ReferralService.POLICE_PROTECTION, None) == Priority.URGENT
    assert derived_priority(ReferralService.LEGAL_AID, RiskLevel.MEDIUM) == Priority.NORMAL
    assert derived_priority(ReferralService.LEGAL_AID, None, Priority.HIGH) == Priority.HIGH
    assert derived_priority(ReferralService.LEGAL_AID, RiskLevel.HIGH,
                            Priority.NORMAL) == Priority.URGENT


def test_intake_preselects_no_fact_about_a_person(login_as):
    page = login_as("coordinator.sokuluk").get("/cases/new").text
    for name in ("survivor-sex", "perpetrator-sex", "perpetrator-relationship",
                 "incident-place", "incident-reported_by"):
        select = page[page.index(f'name="{name}"'):]
        select = select[:select.index("</select>")]
        chosen = re.findall(r'<option selected value="([^"]*)"', select)
        assert chosen == [""], (name, chosen)  # the "choose" option, nothing else


# --- corrections with history ---------------------------------------------------------------


def test_correct_a_person_with_old_and_new_values_in_the_timeline(new_case, login_as):
    import sqlalchemy as sa

    from coordination.audit.models import AuditAction, AuditEvent
    case = new_case()
    db.session.commit()
    survivor = next(p for p in case.people if p.role.value == "survivor")
    old_year, old_name = survivor.birth_year, survivor.last_name
    new_year = (old_year or 1986) - 1
    client = login_as("social.sokuluk")  # the lead agency
    # The person's "Correct or complete" link opens the page with their form.
    page = client.get(f"/cases/{pid(case)}?correct={pid(survivor)}").text
    assert f"/cases/people/{pid(survivor)}/correct" in page
    data = {"csrf_token": csrf_token(page), "version": survivor.version,
            "last_name": "Исправленова", "first_name": survivor.first_name,
            "patronymic": survivor.patronymic or "", "sex": survivor.sex.value,
            "birth_year": new_year, "relationship": "", "phone": survivor.phone or "",
            "address": survivor.address or ""}
    response = client.post(f"/cases/people/{pid(survivor)}/correct", data=data)
    assert response.status_code == 302
    db.session.refresh(survivor)
    assert survivor.last_name == "Исправленова" and survivor.birth_year == new_year
    assert survivor.version == 2
    page = client.get(f"/cases/{pid(case)}").text
    timeline = page[page.index('id="timeline"'):]
    assert f"{old_name} → Исправленова" in timeline
    assert f"{old_year or '—'} → {new_year}" in timeline
    event = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == AuditAction.PERSON_CORRECTED,
        AuditEvent.object_id == survivor.id)).one()
    assert event.fields == "last_name, birth_year"  # names, never the values
    # The same page posted again is stale: nothing is saved over the correction.
    response = client.post(f"/cases/people/{pid(survivor)}/correct",
                           data={**data, "last_name": "Другая"}, follow_redirects=True)
    assert "Someone changed this" in response.text
    db.session.refresh(survivor)
    assert survivor.last_name == "Исправленова"


def test_add_a_person_later_and_only_who_may(new_case, login_as, sign_in):
    case = new_case()
    db.session.commit()
    client = login_as("social.sokuluk")
    token = csrf_token(client.get(f"/cases/{pid(case)}").text)
    body = {"csrf_token": token, "role": "child", "last_name": "Асанова", "first_name": "Айя",
            "sex": "female", "birth_year": 2019, "relationship": ""}
    assert client.post(f"/cases/{pid(case)}/people", data=body).status_code == 302
    db.session.refresh(case)
    assert any(p.first_name == "Айя" for p in case.people)
    assert "person_added" in [e.kind.value for e in case.timeline]
    # The police, involved by nothing here, do not see the case at all.
    police = sign_in("police.sokuluk")
    assert police.post(f"/cases/{pid(case)}/people", data={
        **body, "csrf_token": csrf_token(police.get("/profile").text)}).status_code == 404


# --- consent in one form ----------------------------------------------------------------------


def test_consent_for_several_types_and_statistics_in_one_post(new_case, login_as):
    case = new_case()
    db.session.commit()
    client = login_as("coordinator.sokuluk")
    page = client.get(f"/cases/{pid(case)}?form=send-referral").text
    assert "No consent to share is recorded" in page
    response = client.post(f"/cases/{pid(case)}/consent", data={
        "csrf_token": csrf_token(page), "agency_types": ["police", "social"],
        "statistics": "y"})
    assert response.status_code == 302
    db.session.refresh(case)
    recorded = {(c.scope.value, c.agency_type.value if c.agency_type else None)
                for c in case.consents if c.in_force}
    assert recorded == {("sharing", "police"), ("sharing", "social"), ("statistics", None)}
    page = client.get(f"/cases/{pid(case)}?form=send-referral").text
    covers = page[page.index('id="consent-covers"'):]
    assert "consent covers:" in covers[:400]
    assert "Police" in covers[:400] and "Social protection" in covers[:400]


def test_the_summary_shows_orders_referrals_next_follow_up_and_risk_factors(
        new_case, user, agency, login_as):
    """Issue 15 item 2: the header of the case answers "what is going on"
    without scrolling; the risk shows its factors, not only the count."""
    from coordination.protection import services as protection
    from coordination.protection.models import OrderKind
    from coordination.referrals import services as referrals
    from coordination.referrals.models import ReferralService
    from coordination.risk import services as risk

    case = new_case(opened_by="police.sokuluk")
    now = utcnow()
    risk.assess(user("coordinator.sokuluk"), case, {"weapons", "threats_to_kill"}, now=now)
    protection.record_order(user("police.sokuluk"), case, protection.OrderData(
        kind=OrderKind.TEMPORARY, issued_at=now.replace(tzinfo=None, microsecond=0)), now=now)
    referrals.send_referral(user("coordinator.sokuluk"), case, agency("SOKULUK-POLICE").id,
                            ReferralService.POLICE_PROTECTION, None,
                            legal_ground=LegalGround.DANGER_TO_LIFE, now=now)
    services.add_follow_up(user("coordinator.sokuluk"), case, services.FollowUpData(
        action="Посетить семью", owner_agency_id=agency("SOKULUK-SOCIAL").id,
        due_on=now.date() + timedelta(days=9), legal_ground=LegalGround.DANGER_TO_LIFE),
        now=now)
    services.add_follow_up(user("coordinator.sokuluk"), case, services.FollowUpData(
        action="Позвонить", owner_agency_id=agency("SOKULUK-SOCIAL").id,
        due_on=now.date() + timedelta(days=2), legal_ground=LegalGround.DANGER_TO_LIFE),
        now=now)
    db.session.commit()

    page = login_as("coordinator.sokuluk").get(f"/cases/{pid(case)}?lang=en").text
    summary = page.split('id="summary"', 1)[1].split("</section>", 1)[0]
    assert "Weapons" in summary or "weapon" in summary.lower()
    assert re.search(r'id="summary-orders">1 · until ', summary)
    assert 'id="summary-referrals">1<' in summary
    due = (now.date() + timedelta(days=2))
    assert re.search(r'id="summary-follow-up">[^<]*' + str(due.day), summary)
    risk_section = page.split('id="risk"', 1)[1].split("</section>", 1)[0]
    factors = risk_section.split('class="risk-factors"', 1)[1].split("</ul>", 1)[0]
    assert factors.count("<li>") == 2


def test_required_selects_start_at_choose_and_refuse_it(new_case, agency, login_as, app,
                                                       monkeypatch):
    """Issue 15 item 6: "Refer to", "Owning agency", the decision's case and
    the transfer's district offer "— choose —" first; posting it gets the
    required message and changes nothing."""
    from coordination.followups.models import FollowUp
    from coordination.meetings.page import set_decision_choices
    from coordination.referrals.models import Referral
    from coordination.transfers.models import CaseTransfer as Transfer
    from forms.meetings import DecisionForm

    case = new_case()
    client = login_as("social.sokuluk")
    for name, key in (("to_agency", "send-referral"), ("owner_agency", "add-follow-up"),
                      ("to_district", "propose-transfer")):
        page = client.get(f"/cases/{pid(case)}?lang=ru&form={key}").text
        select = re.search(rf'<select[^>]*name="{name}"[^>]*>\s*<option([^>]*)>([^<]*)<', page)
        assert select, name
        assert 'value=""' in select.group(1) and select.group(2) == "— выберите —", name
    token = csrf_token(page)
    posts = {
        "referrals": {"to_agency": "", "service": "shelter", "priority": "",
                      "legal_ground": "danger_to_life"},
        "followups": {"action": "Посетить", "owner_agency": "", "owner_user": "",
                      "due_on": (utcnow().date() + timedelta(days=3)).isoformat(),
                      "legal_ground": "danger_to_life"},
        "transfer": {"to_district": "", "note": "", "version": str(case.version)},
    }
    for path, data in posts.items():
        response = client.post(f"/cases/{pid(case)}/{path}?lang=ru",
                               data={"csrf_token": token, **data}, follow_redirects=True)
        assert response.status_code == 200, path
        assert "Это поле обязательно." in response.text, path
    for model in (Referral, FollowUp, Transfer):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(model).where(
            model.case_id == case.id)) == 0

    # The decision form: the agenda's cases after "— choose —", which is refused.
    from coordination.meetings import page as meeting_page
    monkeypatch.setattr(meeting_page.services, "decision_cases", lambda meeting: [case])
    monkeypatch.setattr(meeting_page.services, "attendance_candidates",
                        lambda meeting: [agency("SOKULUK-SOCIAL")])
    with app.test_request_context(method="POST", data={"case": ""}):
        form = DecisionForm()
        set_decision_choices(form, None)
        assert [c.value for c in form.case.choices] == ["", case.id]
        assert form.owner_agency.choices[0].value == ""
        form.validate()
        assert str(form.case.errors[0]) == "This field is required."
