"""Each role's day from the home page (issue 15), each in another language,
one at phone width; every page visited passes the accessibility check."""
from __future__ import annotations

import pytest

from tests_e2e.accessibility import DESKTOP, PHONE, check_both_widths
from tests_e2e.test_journey import form_opener, open_form, sign_in, translated


def visit(page, path: str):
    response = page.goto(path)
    assert response is not None and response.status == 200, (path, response and response.status)
    check_both_widths(page)
    return response


@pytest.mark.parametrize("username,lang,viewport", [
    ("coordinator.sokuluk", "ky", DESKTOP),
    ("police.sokuluk", "ru", PHONE),
    ("social.sokuluk", "en", DESKTOP),
])
def test_a_case_workers_day_starts_on_today(new_page, live_app, username, lang, viewport):
    page = new_page(viewport)
    sign_in(page, username)
    visit(page, f"/?lang={lang}")
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("h1").first.inner_text().strip() == translated(live_app, "Today", lang)
    # The first panel's first case opens the working file at its section.
    link = page.locator("main section.card a[href*='/cases/']").first
    if link.count():
        href = link.get_attribute("href")
        visit(page, href)
        assert page.locator("nav.section-links a").count() >= 5
        if viewport is PHONE:  # the section links stay in view as tabs
            assert page.locator("nav.section-links").evaluate(
                "e => getComputedStyle(e).position") == "sticky"


def test_the_committee_sees_its_next_meeting(new_page, live_app):
    page = new_page()
    sign_in(page, "coordinator.sokuluk")
    visit(page, "/?lang=ru")
    panel = page.locator("#next-meeting")
    assert panel.count() == 1
    assert translated(live_app, "Next committee meeting", "ru") in panel.inner_text()
    meeting = panel.locator("a[href*='/meetings/']").first
    if meeting.count():
        visit(page, meeting.get_attribute("href"))


def test_the_analyst_lands_on_statistics_and_the_administrator_on_administration(new_page):
    analyst = new_page()
    sign_in(analyst, "ministry.analyst")
    analyst.goto("/?lang=ky")
    assert analyst.url.split("?")[0].endswith("/reports")
    check_both_widths(analyst)
    admin = new_page()
    sign_in(admin, "admin")
    visit(admin, "/?lang=en")
    assert admin.url.split("?")[0].endswith("/admin/users")


def test_an_irreversible_step_asks_first(new_page, live_app):
    """Closing a case from the case page shows what will happen; going back
    changes nothing."""
    page = new_page()
    sign_in(page, "social.sokuluk")
    visit(page, "/cases?lang=en")
    page.locator("main a[href*='/cases/']").first.click()
    page.wait_for_load_state()
    check_both_widths(page)
    if not form_opener(page, "change-status").count():
        pytest.skip("the social worker may not change this case's status")
    status = open_form(page, "change-status")
    if not status.locator('option[value="closed"]').count():
        pytest.skip("the social worker may not close this case")
    status.locator('select[name="status"]').select_option("closed")
    status.locator('select[name="closure_reason"]').select_option(index=1)
    with page.expect_navigation():
        status.locator("button[type=submit]").click()
    assert page.locator("h1").inner_text().strip() == "Close the case"
    check_both_widths(page)
    with page.expect_navigation():
        page.locator("a", has_text="Go back without changing anything").click()
    check_both_widths(page)
    assert "Closed" not in page.locator(".page-head").inner_text()
