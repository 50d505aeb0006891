"""The committee's decision form in the browser (issue 15, item 5): choosing
a case marks the owning agencies that will not see its contact details, as
the server names them beside the form, and leaves only that case's line."""
from __future__ import annotations

from tests_e2e.test_daily import visit
from tests_e2e.test_journey import schedule_meeting, sign_in, translated


def test_choosing_the_case_marks_the_owners_that_will_not_see_contacts(new_page, live_app):
    page = new_page()
    sign_in(page, "coordinator.sokuluk")
    page.goto("/meetings/new?lang=ru")
    schedule_meeting(page, days_ahead=5)
    visit(page, page.url)
    decision = page.locator('form[action$="/decisions"]')
    cases = decision.locator('select[name="case"] option[value]:not([value=""])')
    assert cases.count() > 1, "the demo proposes several Sokuluk cases for the agenda"
    marker = f' ({translated(live_app, "will not see contact details", "ru")})'
    owners = decision.locator('select[name="owner_agency"] option:not([value=""])')
    # Without a chosen case nothing is marked: the lines beside the form name them.
    assert not any(text.endswith(marker) for text in owners.all_inner_texts())
    marked = 0
    for index in range(min(cases.count(), 3)):
        value = cases.nth(index).get_attribute("value")
        decision.locator('select[name="case"]').select_option(value)
        without = set((cases.nth(index).get_attribute("data-without-contacts") or "").split())
        for option in range(owners.count()):
            owner = owners.nth(option)
            assert owner.inner_text().endswith(marker) == (owner.get_attribute("value") in without)
            marked += owner.get_attribute("value") in without
        shown = page.locator(".decision-cover[data-case]:visible")
        assert shown.count() == 1 and shown.get_attribute("data-case") == value
    assert marked, "some owner will not see the contact details of a demo case"
