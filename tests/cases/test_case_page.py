"""The case page: people, incidents, timeline; restricted fields; audited views."""
from __future__ import annotations

import sqlalchemy as sa

from coordination.accounts.models import User
from coordination.audit.models import AuditAction, AuditEvent
from coordination.cases.models import Case
from coordination.extensions import db
from tests.helpers import pid, statements_to_open


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
