"""The inboxes worked through in place, in the browser (issue 15, item 7):
done and its undo from the follow-up list, an answer from the referral
inbox, the message beside the row and focused; the person responsible
narrowed to the chosen agency by the app's own script."""
from __future__ import annotations

from tests_e2e.accessibility import check_both_widths
from tests_e2e.test_daily import PHONE, visit
from tests_e2e.test_journey import form_opener, open_form, sign_in, translated


def test_a_follow_up_is_marked_done_in_the_list_and_undone(new_page, live_app):
    page = new_page()
    sign_in(page, "social.sokuluk")
    visit(page, "/followups?lang=ru")
    step = page.locator("#follow-up-list details.confirm-step").first
    assert step.count() == 1, "the demo gives Sokuluk's social protection open follow-ups"
    step.locator("summary").click()
    step.locator('[name="note"]').fill("Семья посещена")
    step.locator('button[type="submit"]').click()
    page.wait_for_load_state()
    assert "acted=" in page.url and "#message-" in page.url
    placed = page.locator(".placed-messages .flash-success")
    assert placed.inner_text().strip() == translated(live_app, "Follow-up closed.", "ru")
    # Announced and focused where the user acted.
    assert placed.get_attribute("role") == "status"
    assert page.evaluate("document.activeElement.classList.contains('placed-messages')")
    check_both_widths(page)
    page.locator('form[action$="/undo"] button').click()
    page.wait_for_load_state()
    check_both_widths(page)
    assert page.locator(".placed-messages .flash-success").inner_text().strip() == translated(
        live_app, "The follow-up is open again.", "ru")


def test_a_referral_is_accepted_in_the_inbox_at_phone_width(new_page, live_app):
    page = new_page(PHONE)
    sign_in(page, "social.sokuluk")
    visit(page, "/referrals?lang=ky")
    accept = page.locator('#inbox-list button[value="accept"]').first
    assert accept.count() == 1, "the demo has referrals awaiting Sokuluk's social protection"
    accept.click()
    page.wait_for_load_state()
    assert page.locator(".placed-messages .flash-success").inner_text().strip() == translated(
        live_app, "Referral updated.", "ky")
    check_both_widths(page)
    # Declining asks for the reason first, in place.
    decline = page.locator("#inbox-list details.confirm-step").first
    if decline.count():
        decline.locator("summary").click()
        assert decline.locator('textarea[name="note"][required]').is_visible()
        check_both_widths(page)


def test_the_person_responsible_follows_the_chosen_agency(new_page):
    page = new_page()
    sign_in(page, "coordinator.sokuluk")
    visit(page, "/cases?lang=en")
    links = [page.locator("main table a[href*='/cases/']").nth(i).get_attribute("href")
             for i in range(5)]
    for link in links:  # the first case the committee may still plan (not closed)
        page.goto(link)
        check_both_widths(page)
        if form_opener(page, "add-follow-up").count():
            break
    assert form_opener(page, "add-follow-up").count(), \
        "one of the committee's newest cases is open"
    form = open_form(page, "add-follow-up")
    agencies = form.locator('select[name="owner_agency"] option')
    for index in range(min(agencies.count(), 3)):
        value = agencies.nth(index).get_attribute("value")
        form.locator('select[name="owner_agency"]').select_option(value)
        offered = form.locator('select[name="owner_user"] option[data-agency]:not([disabled])')
        for option in range(offered.count()):
            assert offered.nth(option).get_attribute("data-agency") == value
