"""Issue 19 in the browser: the inspector's day with the checks due, a check
recorded from the case page, and the committee seeing an order whose missed
check was escalated to it (the demo data has one in Sokuluk)."""
from __future__ import annotations

from tests_e2e.accessibility import check_both_widths
from tests_e2e.test_journey import sign_in


def test_the_committee_sees_the_escalated_order(new_page):
    page = new_page()
    sign_in(page, "coordinator.sokuluk")
    page.goto("/?lang=en")
    check_both_widths(page)
    panel = page.locator("#order-checks-escalated")
    text = panel.inner_text()
    assert "Missed checks of protection orders" in text
    assert "Overdue: with the committee" in text
    with page.expect_navigation():
        panel.locator("a").first.click()
    check_both_widths(page)
    assert "Overdue: with the committee" in page.locator("#order-checks").inner_text()


def test_the_inspectors_day_and_a_check_recorded(new_page):
    page = new_page()
    sign_in(page, "police.sokuluk")
    page.goto("/?lang=en")
    check_both_widths(page)
    panel = page.locator("#order-checks-due")
    assert "Checks of protection orders due today" in panel.inner_text()
    # One not yet overdue (the overdue ones are the committee's journey).
    due = panel.locator("li", has_not=page.locator(".overdue"))
    assert due.count() >= 1
    with page.expect_navigation():
        due.first.locator("a").click()
    check_both_widths(page)
    section = page.locator("#order-checks")
    assert "Checks of protection orders" in section.inner_text()
    article = section.locator("article", has=page.locator("details")).first
    article.locator("summary").click()
    form = article.locator("form").last
    form.locator('select[name="method"]').select_option("call")
    form.locator('select[name="outcome"]').select_option("kept")
    form.locator('textarea[name="note"]').fill("Пострадавшая в безопасности")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    check_both_widths(page)
    assert "Check recorded." in page.content()
    assert "Call to a safe number" in page.locator("#order-checks").inner_text()
