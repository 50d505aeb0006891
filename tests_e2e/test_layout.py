"""Issue 15, item 8 in the browser: a compact header on a phone, touch
targets of at least 24 px, a skip link to the content, focus on the first
error after a refused submit and on the message after a step, and dates typed
the country's way whatever the browser's language."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests_e2e.accessibility import check_accessibility, check_both_widths
from tests_e2e.test_journey import open_form, register_case, sign_in, submit

PHONE = {"width": 390, "height": 844}
#: "Well under a third" of the phone's height: at most a sixth.
HEADER_SHARE = 1 / 6
#: WCAG 2.2, 2.5.8 (target size, minimum).
TARGET = 24

#: Every control a finger must hit, with the links in the header; links
#: inside running text are exempt (2.5.8's inline exception).
_TARGETS_JS = """() => {
  const all = [...document.querySelectorAll(
      'header a, header button, main button, main select, main summary,'
    + 'main input:not([type=hidden]), main a.button, nav a')];
  return all.filter(e => e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden')
    .map(e => { const r = e.getBoundingClientRect();
                return {what: e.outerHTML.slice(0, 90), width: r.width, height: r.height}; })
    .filter(t => t.width < TARGET || t.height < TARGET);
}""".replace("TARGET", str(TARGET))


@pytest.mark.parametrize("username,path", [
    ("coordinator.sokuluk", "/?lang=ru"), ("police.sokuluk", "/?lang=ky"),
    ("admin", "/admin/users?lang=ru"), ("ministry.analyst", "/reports?lang=ky"),
])
def test_the_header_takes_little_of_a_phone_screen(new_page, username, path):
    page = new_page(PHONE)
    sign_in(page, username)
    page.goto(path)
    header = page.locator("header.topbar").bounding_box()
    assert header["height"] <= PHONE["height"] * HEADER_SHARE, header
    # Nothing of the header is cut off: every link can still be reached.
    check_both_widths(page)


@pytest.mark.parametrize("viewport", [PHONE, None])
def test_touch_targets_are_at_least_24_px(new_page, base_url, viewport):
    page = new_page(viewport)
    sign_in(page, "coordinator.sokuluk")
    case_path = register_case(page).removeprefix(base_url)
    page.goto(case_path)
    # The correction forms are drawn by their links (one person's, one incident's).
    corrections = [page.locator(link).first.get_attribute("href").split("#")[0] + "&lang=ky"
                   for link in ("a.correct-person", "a.correct-incident")]
    for path in ("/?lang=ru", case_path + "?lang=ky", *corrections, "/cases?lang=en",
                 "/meetings/new?lang=ru"):
        page.goto(path)
        check_both_widths(page)
        # Open every form the page keeps closed, so its controls are measured too.
        page.evaluate("() => document.querySelectorAll('main details').forEach(d => d.open = true)")
        small = page.evaluate(_TARGETS_JS)
        assert not small, (path, small[:8])


def test_the_skip_link_is_the_first_stop_and_leads_to_the_content(new_page):
    page = new_page(PHONE)
    sign_in(page, "police.sokuluk")
    page.goto("/?lang=ru")
    check_both_widths(page)
    page.keyboard.press("Tab")
    link = page.locator(".skip-link")
    assert page.evaluate("() => document.activeElement.className") == "skip-link"
    box = link.bounding_box()  # seen when focused, inside the screen
    assert box["x"] >= 0 and box["y"] >= 0 and box["height"] >= TARGET
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "content"


def test_focus_goes_to_the_first_error_after_a_refused_submit(new_page, live_app):
    page = new_page()
    sign_in(page, "coordinator.sokuluk")
    page.goto("/meetings/new?lang=ky")
    check_both_widths(page)
    form = page.locator("main form").first
    form.locator('[name="scheduled_for"]').fill("кийинки жума")
    form.locator('[name="place"]').fill("Сокулук, акимиат")
    submit(form)
    focused = page.evaluate("() => [document.activeElement.name, "
                            "document.activeElement.getAttribute('aria-invalid')]")
    assert focused == ["scheduled_for", "true"]
    check_both_widths(page)


def test_focus_goes_to_the_message_where_the_user_acted(new_page, base_url):
    page = new_page()
    sign_in(page, "coordinator.sokuluk")
    register_case(page)
    page.goto(page.url + "?lang=en")
    check_both_widths(page)
    form = open_form(page, "add-follow-up")
    form.locator('[name="action"]').fill("Home visit")
    form.locator('select[name="owner_agency"]').select_option(index=1)
    due = date.today() + timedelta(days=5)
    form.locator('[name="due_on"]').fill(f"{due:%d.%m.%Y}")  # typed the local way
    ground = form.locator('select[name="legal_ground"]')
    if ground.count():
        ground.select_option("danger_to_life")
    submit(form)
    # The script sets the focus again once the browser has applied #follow-ups.
    page.wait_for_function("() => document.activeElement.classList.contains('flash')")
    focused = page.evaluate("() => [document.activeElement.className, "
                            "document.activeElement.closest('section') && "
                            "document.activeElement.closest('section').id]")
    assert focused[0].startswith("flash flash-success"), focused
    assert focused[1] == "follow-ups", focused
    assert "Home visit" in page.locator("#follow-ups").inner_text()


def test_dates_follow_the_page_not_the_browser(new_page, chromium, base_url):
    """An English (US) browser on a Kyrgyz page: the pattern is Kyrgyz and
    day first, and no native date picker is offered."""
    page = new_page()
    sign_in(page, "coordinator.sokuluk")
    page.goto("/meetings/new?lang=ky")
    check_both_widths(page)
    field = page.locator('[name="scheduled_for"]')
    assert field.get_attribute("type") == "text"
    assert field.get_attribute("placeholder") == "кк.аа.жжжж сс:мм"
    assert page.locator('input[type="date"], input[type="month"], '
                        'input[type="datetime-local"]').count() == 0


_SHOWN_SECTIONS_JS = """() => [...document.querySelectorAll('.case-sections > section')]
  .filter(s => getComputedStyle(s).display !== 'none').map(s => s.id)"""


def test_on_a_phone_the_section_links_are_tabs(new_page, base_url):
    """Issue 15: one section at a time on a phone, chosen from a strip of tabs
    that scrolls sideways; the summary when none is chosen; the desktop keeps
    the long page."""
    page = new_page(PHONE)
    sign_in(page, "coordinator.sokuluk")
    case_path = register_case(page).removeprefix(base_url).split("#")[0]
    page.goto(case_path + "?lang=en")
    assert page.evaluate(_SHOWN_SECTIONS_JS) == ["summary"]
    tabs = page.get_by_role("navigation", name="Sections of the case")
    assert tabs.locator("a[aria-current]").get_attribute("href") == "#summary"
    strip = tabs.evaluate("n => [n.scrollWidth > n.clientWidth, n.getBoundingClientRect().height]")
    assert strip[0] and strip[1] < 60, strip  # one row, scrolled sideways
    check_accessibility(page)

    tabs.get_by_role("link", name="Referrals", exact=True).click()
    page.wait_for_function("() => location.hash === '#referrals'")
    assert page.evaluate(_SHOWN_SECTIONS_JS) == ["referrals"]
    assert [link.get_attribute("href") for link in tabs.locator("a[aria-current]").all()] \
        == ["#referrals"]
    assert page.locator("#referrals").is_visible()
    assert not page.locator("#summary").is_visible()
    check_accessibility(page)

    # "What your agency should do next" leads to the page drawing its form
    # (?form=<key>), opened, in its tab.
    page.goto(case_path + "?lang=en")
    step = page.locator("#next-step a")
    href = step.get_attribute("href")
    key = href.split("#", 1)[1]
    assert href.endswith(f"?form={key}#{key}"), href
    with page.expect_navigation():
        step.click()
    page.wait_for_function(f"() => location.hash === '#{key}'")
    target = f"#{key}"
    form = page.locator(target)
    assert form.evaluate("d => d.tagName") == "DETAILS" and form.get_attribute("open") is not None
    shown = page.evaluate(_SHOWN_SECTIONS_JS)
    assert len(shown) == 1 and page.locator(f"#{shown[0]} {target}").count() == 1

    # On paper the file holds every section, even printed from a phone.
    page.emulate_media(media="print")
    assert len(page.evaluate(_SHOWN_SECTIONS_JS)) > 8
    page.emulate_media(media="screen")
    # The desktop keeps the long page with its links.
    page.set_viewport_size({"width": 1280, "height": 900})
    assert len(page.evaluate(_SHOWN_SECTIONS_JS)) > 8
    # The media query's change event unmarks the tab after the resize, a
    # frame later: waited for, not read at once.
    page.wait_for_function("() => !document.querySelector('.section-links a[aria-current]')")
    assert tabs.locator("a[aria-current]").count() == 0
