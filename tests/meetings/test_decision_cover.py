"""Issue 15 item 5: the committee's decision form says, before a task is given,
what each agenda case's consent covers and which owners will not see the
survivor's contact details, with the way to change it."""
from __future__ import annotations

from coordination.extensions import db
from coordination.meetings import services
from tests.helpers import pid
from tests.workflow.conftest import NOW
from tests.workflow.test_consent_cover import (
    MARKER,
    case_with_an_accepted_health_referral,
    owner_marks,
)


def _agenda_of(coordinator, scheduled, cases) -> None:
    """Only ``cases`` on the agenda (scheduling proposed the demo's cases)."""
    for item in list(scheduled.agenda):
        services.remove_agenda_item(coordinator, item, now=NOW)
    for case in cases:
        services.add_agenda_case(coordinator, scheduled, case.reference, now=NOW)
    db.session.commit()
    assert [c.id for c in services.decision_cases(scheduled)] == [c.id for c in cases]


def _decision_form(page: str) -> str:
    form = page[page.index('id="decisions"'):]
    return form[form.index("Record a decision"):]


def test_one_case_on_the_agenda_marks_the_owners_and_lists_covered_types(
        new_case, user, agency, meeting, login_as):
    case = case_with_an_accepted_health_referral(new_case, user, agency)
    scheduled = meeting()
    _agenda_of(user("coordinator.sokuluk"), scheduled, [case])
    page = login_as("coordinator.sokuluk").get(f"/meetings/{pid(scheduled)}").text
    form = _decision_form(page)
    covers = form[form.index(f'id="consent-covers-{case.id}"'):][:400]
    assert "consent covers:" in covers and "Health" in covers and "Police" in covers
    marks = owner_marks(form)
    assert marks[agency("SOKULUK-HEALTH").id] is False
    assert marks[agency("SOKULUK-POLICE").id] is True
    assert marks[agency("SOKULUK-COMMITTEE").id] is False
    # The way to change it: the case page drawing its consent form, and its referral form.
    assert f"/cases/{pid(case)}?form=record-consent#record-consent" in form
    assert f"/cases/{pid(case)}?form=send-referral#send-referral" in form
    assert 'id="decision-contacts"' in form


def test_several_cases_name_the_owners_for_each(new_case, user, agency, meeting, login_as):
    covered = case_with_an_accepted_health_referral(new_case, user, agency)
    bare = new_case()
    scheduled = meeting()
    _agenda_of(user("coordinator.sokuluk"), scheduled, [covered, bare])
    page = login_as("coordinator.sokuluk").get(f"/meetings/{pid(scheduled)}").text
    form = _decision_form(page)
    health = agency("SOKULUK-HEALTH").name
    covered_block = form[form.index(f'id="decision-cover-{covered.id}"'):]
    covered_block = covered_block[:covered_block.index("</div>")]
    bare_block = form[form.index(f'id="decision-cover-{bare.id}"'):]
    bare_block = bare_block[:bare_block.index("</div>")]
    assert covered.reference in covered_block and "consent covers:" in covered_block
    assert "No consent to share is recorded" in bare_block
    # Health sees the contacts on the case whose referral it accepted, not on the other.
    assert health not in covered_block and health in bare_block
    assert f"/cases/{pid(bare)}#consent" in bare_block
    # The choices cannot be marked for two cases at once: the blocks name them.
    assert MARKER not in form[form.index('name="owner_agency"'):]
