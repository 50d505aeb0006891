"""The case page: people, incidents, timeline; restricted fields; audited views."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from coordination import policy
from coordination.accounts.models import User
from coordination.audit.models import AuditAction, AuditEvent
from coordination.cases.models import Case
from coordination.extensions import db
from tests.helpers import csrf_token, pid, statements_to_open


def _opened_by_police_led_by_other(police: User) -> Case:
    return db.session.scalars(
        sa.select(Case).where(Case.opening_agency_id == police.agency_id,
                              Case.lead_agency_id != police.agency_id)
        .order_by(Case.id)).first()


def _views_of(case: Case, user: User) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == AuditAction.CASE_VIEWED, AuditEvent.object_id == case.id,
        AuditEvent.user_id == user.id))


def test_case_page_shows_people_incident_and_timeline(login_as, user):
    client = login_as("coordinator.sokuluk")
    case = db.session.scalars(
        sa.select(Case).where(Case.district_id == user("coordinator.sokuluk").agency.territory_id)
    ).first()
    page = client.get(f"/cases/{pid(case)}").text
    for person in case.people:
        assert person.first_name in page
    assert "Case registered" in page
    assert "Incident recorded" in page


def test_opening_agency_that_does_not_lead_sees_no_restricted_fields(login_as, user):
    police = user("police.sokuluk")
    case = _opened_by_police_led_by_other(police)
    survivor = case.people[0]
    assert survivor.phone
    page = login_as("police.sokuluk").get(f"/cases/{pid(case)}").text
    assert survivor.first_name in page
    assert survivor.phone not in page
    assert survivor.address not in page
    assert "Contact details and address are restricted" in page


def test_lead_agency_sees_restricted_fields(login_as, user):
    police = user("police.sokuluk")
    case = db.session.scalars(
        sa.select(Case).where(Case.lead_agency_id == police.agency_id)).first()
    page = login_as("police.sokuluk").get(f"/cases/{pid(case)}").text
    assert case.people[0].phone in page


def test_views_by_a_non_lead_agency_are_audited(login_as, user):
    police = user("police.sokuluk")
    case = _opened_by_police_led_by_other(police)
    client = login_as("police.sokuluk")
    client.get(f"/cases/{pid(case)}")
    client.get(f"/cases/{pid(case)}")
    assert _views_of(case, police) == 2

    led = db.session.scalars(
        sa.select(Case).where(Case.lead_agency_id == police.agency_id)).first()
    client.get(f"/cases/{pid(led)}")
    assert _views_of(led, police) == 0


def test_case_page_needs_a_fixed_number_of_queries(login_as, user, app):
    """No N+1: a case with more people or events costs no more queries."""
    client = login_as("coordinator.sokuluk")
    coordinator = user("coordinator.sokuluk")
    # Cases the committee does not lead: both views are audited alike.
    cases = db.session.scalars(sa.select(Case).where(
        Case.district_id == coordinator.agency.territory_id,
        Case.lead_agency_id != coordinator.agency_id)).all()
    small = min(cases, key=lambda c: len(c.people))
    large = max(cases, key=lambda c: len(c.people))
    assert len(large.people) > len(small.people)

    counts = [statements_to_open(client, f"/cases/{pid(case)}") for case in (small, large)]
    assert counts[0] == counts[1]
    # A fixed number whatever the case holds; the cap grows only with sections
    # (notes, documents, safety plan, order checks, transfers, who opened it).
    assert 0 < counts[1] <= 32


def test_the_printed_case_page_carries_a_confidentiality_header_and_footer(login_as, user):
    """Print-only elements (hidden on screen by app.css) in the user's language;
    the restricted contacts are marked so that the print stylesheet drops them."""
    client = login_as("coordinator.sokuluk")
    case = db.session.scalars(
        sa.select(Case).where(Case.district_id == user("coordinator.sokuluk").agency.territory_id)
        .order_by(Case.id)).first()
    page = client.get(f"/cases/{pid(case)}?lang=ru").text
    warning = "Конфиденциально: материалы дела о семейном насилии. Не копировать и не передавать."
    assert page.count(warning) == 2
    assert page.count('class="print-only print-confidential print-header"') == 1
    assert page.count('class="print-only print-confidential print-footer"') == 1
    assert 'class="restricted-contact"' in page

def test_every_section_link_has_a_translated_label(login_as, user):
    """A section without a label showed its raw key ("safety-plan", "print")."""
    import re

    from coordination.case_sections import SECTIONS

    client = login_as("coordinator.sokuluk")
    case = db.session.scalars(sa.select(Case).where(
        Case.district_id == user("coordinator.sokuluk").agency.territory_id)).first()
    page = client.get(f"/cases/{pid(case)}?lang=ru").text
    nav = page.split('class="section-links"', 1)[1].split("</nav>", 1)[0]
    links = re.findall(r'<a href="#([\w-]+)">([^<]*)</a>', nav)
    assert len(links) >= 10
    for key, text in links:
        assert text.strip() and text.strip() != key
        assert re.search("[а-яА-Я]", text), (key, text)
    assert {key for key, _text in links} <= {section.key for section in SECTIONS}


class _Forms(HTMLParser):
    """Every form of a page with the ``<details>`` around it: (open, id) or None."""

    def __init__(self, html: str):
        super().__init__()
        self._details: list[tuple[bool, str | None]] = []
        self.forms: dict[str, tuple[bool, str | None] | None] = {}
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "details":
            self._details.append(("open" in attributes, attributes.get("id")))
        elif tag == "form":
            self.forms[attributes["action"]] = self._details[-1] if self._details else None

    def handle_endtag(self, tag):
        if tag == "details":
            self._details.pop()


def _busy_case_led_by(agency_id: int) -> Case:
    """An open case of the agency's with the most to show (orders, referrals...)."""
    cases = db.session.scalars(sa.select(Case).where(Case.lead_agency_id == agency_id)).all()
    return max(cases, key=lambda c: (c.status.value != "closed", len(c.protection_orders),
                                     len(c.referrals) + len(c.follow_ups), -c.id))


#: The forms drawn on demand (``?form=<key>``), by the key naming them (the
#: id of their ``<details>``, or of the opener drawn in its place), and the
#: last segment of the URL each posts to.
_ON_DEMAND = {"change-status": "status", "add-person": "people", "record-consent": "consent",
              "assess-risk": "risk", "write-safety-plan": "safety-plan",
              "record-order": "orders", "refer-to-programme": "programmes",
              "send-referral": "referrals", "add-follow-up": "followups",
              "write-note": "notes", "attach-document": "documents",
              "propose-transfer": "transfer", "record-incident": "incidents"}

#: The action that lets a user use each form (those the case page draws for
#: any case the user may act on, whatever else it holds).
_ACTIONS = {"change-status": policy.Action.CHANGE_CASE_STATUS,
            "add-person": policy.Action.CORRECT_PEOPLE,
            "record-consent": policy.Action.EDIT_CASE,
            "assess-risk": policy.Action.ASSESS_RISK,
            "write-safety-plan": policy.Action.EDIT_SAFETY_PLAN,
            "add-follow-up": policy.Action.ADD_FOLLOW_UP,
            "write-note": policy.Action.ADD_NOTE,
            "attach-document": policy.Action.ATTACH_DOCUMENT,
            "propose-transfer": policy.Action.PROPOSE_TRANSFER,
            "record-incident": policy.Action.RECORD_INCIDENT}


def _openers(page: str) -> dict[str, str]:
    """The opener links of a page: the key of the form -> the link's address."""
    return dict(re.findall(
        r'<div class="form-opener no-print" id="([\w-]+)"><a href="([^"]+)">', page))


def test_the_case_page_draws_its_forms_only_when_asked_for(login_as, user):
    """Issue 17: the page draws no action form, an opener link in place of
    each; the link draws the page with that form open, landing on it."""
    police = user("police.sokuluk")
    case = _busy_case_led_by(police.agency_id)
    client = login_as("police.sokuluk")
    page = client.get(f"/cases/{pid(case)}").text
    forms = _Forms(page).forms
    assert not any(action.startswith(f"/cases/{pid(case)}/") for action in forms), forms
    assert "form-disclosure" not in page
    openers = _openers(page)
    assert set(openers) == set(_ON_DEMAND)
    for key, segment in _ON_DEMAND.items():
        assert openers[key] == f"/cases/{pid(case)}?form={key}#{key}"
        drawn = client.get(openers[key].split("#")[0]).text
        forms = _Forms(drawn).forms
        assert forms[f"/cases/{pid(case)}/{segment}"] == (True, key), key
        assert re.search(rf'<details class="form-disclosure" id="{key}" open>\s*<summary>',
                         drawn), key
        # That one alone: the others stay openers.
        assert set(_openers(drawn)) == set(_ON_DEMAND) - {key}, key
        assert [a for a in forms if a.startswith(f"/cases/{pid(case)}/")] == \
            [f"/cases/{pid(case)}/{segment}"], key


def test_a_form_asked_for_is_drawn_with_its_choices(login_as, user):
    police = user("police.sokuluk")
    case = _busy_case_led_by(police.agency_id)
    page = login_as("police.sokuluk").get(f"/cases/{pid(case)}?form=send-referral").text
    form = page.split('id="send-referral"', 1)[1].split("</details>", 1)[0]
    receivers = re.findall(r'<option value="(\d+)"', form.split('name="to_agency"', 1)[1]
                           .split("</select>", 1)[0])
    assert receivers and all(int(a) != police.agency_id for a in receivers)
    assert "answer within" in form  # the services, with the hours to answer
    assert 'id="consent-covers"' in form


def test_only_who_may_act_gets_the_openers(login_as, user):
    """The opener of a form is drawn for whom the policy lets use it, and
    asking for a form one may not use draws nothing."""
    police = user("police.sokuluk")
    case = _busy_case_led_by(police.agency_id)
    health = user("health.sokuluk")
    client = login_as("health.sokuluk")
    openers = _openers(client.get(f"/cases/{pid(case)}").text)
    for key, action in _ACTIONS.items():
        may = policy.can(health, action, case)
        assert (key in openers) == may, key
    assert "change-status" not in openers and "add-follow-up" in openers  # both kinds seen
    page = client.get(f"/cases/{pid(case)}?form=change-status").text
    assert f"/cases/{pid(case)}/status" not in _Forms(page).forms
    assert 'id="change-status"' not in page


@pytest.mark.parametrize("value", ["", "nonsense", "change-status'><script>", "x" * 5000,
                                   "send-referral#", "SEND-REFERRAL", "form"])
def test_an_unknown_form_draws_none(login_as, user, value):
    police = user("police.sokuluk")
    case = _busy_case_led_by(police.agency_id)
    response = login_as("police.sokuluk").get(f"/cases/{pid(case)}", query_string={"form": value})
    assert response.status_code == 200
    assert not any(a.startswith(f"/cases/{pid(case)}/") for a in _Forms(response.text).forms)
    assert set(_openers(response.text)) == set(_ON_DEMAND)


def test_a_refused_form_is_drawn_again_open_and_the_others_not(login_as, user):
    police = user("police.sokuluk")
    case = _busy_case_led_by(police.agency_id)
    client = login_as("police.sokuluk")
    page = client.get(f"/cases/{pid(case)}?form=add-follow-up").text
    # An empty follow-up: the form's own checks refuse it.
    response = client.post(f"/cases/{pid(case)}/followups", data={"csrf_token": csrf_token(page)})
    assert response.headers["Location"].endswith("#follow-ups")
    page = client.get(response.headers["Location"]).text
    forms = _Forms(page).forms
    assert forms[f"/cases/{pid(case)}/followups"] == (True, "add-follow-up")
    assert re.search(r'<details class="form-disclosure" id="add-follow-up" open data-refused>',
                     page)
    assert 'class="flash flash-error"' in page
    assert set(_openers(page)) == set(_ON_DEMAND) - {"add-follow-up"}
    # Drawn once: the next page draws no form again.
    page = client.get(f"/cases/{pid(case)}").text
    assert f"/cases/{pid(case)}/followups" not in _Forms(page).forms
    assert set(_openers(page)) == set(_ON_DEMAND)

    # A rule of the service refuses (the status it already has): that form is drawn.
    response = client.post(f"/cases/{pid(case)}/status", data={
        "csrf_token": csrf_token(page), "status": case.status.value, "version": case.version})
    page = client.get(response.headers["Location"]).text
    assert "The case already has this status." in page
    forms = _Forms(page).forms
    assert forms[f"/cases/{pid(case)}/status"] == (True, "change-status")
    assert f"/cases/{pid(case)}/followups" not in forms


def test_the_summary_says_what_the_viewer_s_agency_should_do_next(login_as, client):
    """A referral awaiting the agency's answer, linked to the referrals, in
    the viewer's language."""
    from coordination.referrals.models import Referral, ReferralStatus

    referral = db.session.scalars(
        sa.select(Referral).where(Referral.status == ReferralStatus.SENT)
        .order_by(Referral.id)).first()
    receiver = db.session.scalars(sa.select(User).where(
        User.agency_id == referral.to_agency_id).order_by(User.id)).first()
    case = referral.case
    page = login_as(receiver.username).get(f"/cases/{pid(case)}").text
    line = page.split('id="next-step"', 1)[1].split("</p>", 1)[0]
    assert "What your agency should do next:" in line
    assert '<a href="#referrals">Answer the referral from ' in line

    page = client.get(f"/cases/{pid(case)}?lang=ru").text
    line = page.split('id="next-step"', 1)[1].split("</p>", 1)[0]
    assert "What your agency" not in line and 'href="#referrals"' in line


def test_the_lead_is_asked_for_a_plan_of_a_high_risk_case_and_goes_to_its_form(login_as, user):
    from coordination.cases.models import RiskLevel
    from coordination.followups.models import FollowUpStatus

    police = user("police.sokuluk")
    case = _busy_case_led_by(police.agency_id)
    case.risk_level = RiskLevel.HIGH
    for follow_up in case.follow_ups:
        follow_up.status = FollowUpStatus.CANCELLED
    for referral in case.referrals:  # none awaiting the police's answer
        referral.to_agency_id = case.opening_agency_id if referral.to_agency_id == \
            police.agency_id else referral.to_agency_id
    db.session.flush()
    client = login_as("police.sokuluk")
    page = client.get(f"/cases/{pid(case)}").text
    line = page.split('id="next-step"', 1)[1].split("</p>", 1)[0]
    href = f"/cases/{pid(case)}?form=add-follow-up#add-follow-up"
    assert f'<a href="{href}">High risk and no open follow-up' in line
    assert f"/cases/{pid(case)}/followups" in _Forms(client.get(href).text).forms
