"""One case through the agencies, as its users click through it in a browser."""
from __future__ import annotations

import re
from datetime import date, timedelta

from flask_babel import force_locale, gettext

from tests_e2e.accessibility import check_both_widths, check_once

DEMO_PASSWORD = "demo-password-1"
LANGUAGES = ("ru", "ky", "en")


def translated(app, msgid: str, code: str) -> str:
    with app.test_request_context(), force_locale(code):
        return str(gettext(msgid))


def sign_in(page, username: str) -> None:
    page.goto("/login?lang=en")
    check_once(page, "sign-in")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("form button[type=submit]").first.click()
    assert "/login" not in page.url, f"{username} could not sign in"
    check_both_widths(page)


def heading(page) -> str:
    return page.locator("h1").first.inner_text().strip()


def check_languages(page, app, msgid: str | None = None) -> None:
    """Each header language link changes <html lang> and translates the heading."""
    english = heading(page)
    for code in LANGUAGES:
        with page.expect_navigation():
            page.locator(f'nav.langs a[lang="{code}"]').click()
        assert page.locator("html").get_attribute("lang") == code, (page.url, code)
        check_both_widths(page)
        shown = heading(page)
        if msgid is not None:
            assert shown == translated(app, msgid, code), (page.url, code)
        elif code != "en":
            assert shown != english, (page.url, code)
        else:
            assert shown == english, page.url


def choose(form, name: str, containing: str) -> None:
    """Select the option of ``name`` whose label contains ``containing``."""
    select = form.locator(f'select[name="{name}"]')
    labels = select.locator("option").all_inner_texts()
    matches = [label for label in labels if containing in label]
    assert matches, (name, containing, labels)
    select.select_option(label=matches[0])


def form_opener(page, key: str):
    """The link drawn in place of the case page's form ``key`` (issue 17:
    each form is drawn only when asked for, ``?form=<key>``)."""
    return page.locator(f".form-opener#{key} > a")


def open_form(page, key: str):
    """Follow the opener link of the case page's form ``key`` (a page load)
    and return the form, drawn open on the page it leads to."""
    with page.expect_navigation():
        form_opener(page, key).click()
    page.wait_for_load_state()
    assert page.url.endswith(f"form={key}#{key}")
    form = page.locator(f"details#{key}[open] form")
    assert form.is_visible(), key
    return form


def submit(form, button: str | None = None) -> None:
    target = form.locator(f'button[value="{button}"]') if button else \
        form.locator("button[type=submit]").first
    with form.page.expect_navigation():
        target.click()
    check_both_widths(form.page)


def no_errors(page) -> None:
    assert page.locator(".error, .flash-error").count() == 0, page.content()[:3000]


def schedule_meeting(page, days_ahead: int) -> None:
    """From the new-meeting page, schedule one at 10:00 in ``days_ahead`` days;
    the page is then the meeting's."""
    form = page.locator("form.inline-form").first
    day = date.today() + timedelta(days=days_ahead)
    form.locator('[name="scheduled_for"]').fill(f"{day}T10:00")
    form.locator('[name="place"]').fill("Сокулук, акимиат")
    submit(form)
    no_errors(page)
    assert re.search(r"/meetings/[a-z2-7]{13}$", page.url), page.url


def register_case(page, app=None) -> str:
    """The intake form filled in; with ``app``, its languages checked too."""
    page.goto("/cases/new")
    check_both_widths(page)
    if app is not None:
        check_languages(page, app, "Register a case")
    form = page.locator("form.intake")
    choose(form, "lead_agency", "Комитет")
    values = {
        "survivor-last_name": "Асанова", "survivor-first_name": "Айгүл",
        "survivor-birth_year": "1991", "survivor-phone": "+996 555 123456",
        "perpetrator-last_name": "Асанов", "perpetrator-first_name": "Бакыт",
        "perpetrator-birth_year": "1988",
        "incident-occurred_on": (date.today() - timedelta(days=1)).isoformat(),
    }
    for name, value in values.items():
        form.locator(f'[name="{name}"]').fill(value)
    form.locator('select[name="survivor-sex"]').select_option("female")
    form.locator('select[name="perpetrator-sex"]').select_option("male")
    form.locator('select[name="perpetrator-relationship"]').select_option("spouse")
    form.locator('select[name="incident-place"]').select_option("shared_home")
    form.locator('select[name="incident-reported_by"]').select_option("survivor")
    form.locator('input[name="incident-forms"][value="physical"]').check()
    submit(form)
    if page.locator("#duplicates").count():
        # The demo already knows a survivor of this name and year: the
        # duplicate guard asks the coordinator to confirm a new case.
        form.locator('input[name="different_person"]').check()
        submit(form)
    assert re.search(r"/cases/[a-z2-7]{13}$", page.url), page.url
    return page.url


def test_a_case_from_intake_to_the_committee_and_the_report(new_page, live_app, base_url):
    coordinator = new_page()
    sign_in(coordinator, "coordinator.sokuluk")
    coordinator.goto("/cases")
    check_languages(coordinator, live_app)
    case_url = register_case(coordinator, live_app)
    case_path = case_url.removeprefix(base_url)
    reference = heading(coordinator).split()[-1]
    check_languages(coordinator, live_app)

    # Consent to share with the police and social protection (a follow-up
    # owned by an agency needs it as a referral does), then the referral.
    consent = open_form(coordinator, "record-consent")
    consent.locator('input[name="agency_types"][value="police"]').check()
    consent.locator('input[name="agency_types"][value="social"]').check()
    consent.locator('input[name="statistics"]').check()
    submit(consent)
    no_errors(coordinator)
    referral = open_form(coordinator, "send-referral")
    choose(referral, "to_agency", "ОВД")
    referral.locator('select[name="service"]').select_option("police_protection")
    submit(referral)
    no_errors(coordinator)
    assert coordinator.locator("form.step-form").count() >= 1

    # The police accept it and issue a temporary protection order.
    police = new_page()
    sign_in(police, "police.sokuluk")
    police.goto("/referrals")
    check_languages(police, live_app, "Referrals")
    police.goto(case_path)
    check_languages(police, live_app)
    step = police.locator('form.step-form:has(button[value="accept"])').first
    submit(step, "accept")
    no_errors(police)
    order = open_form(police, "record-order")
    order.locator('select[name="kind"]').select_option("temporary")
    submit(order)
    no_errors(police)
    assert police.locator('form[action*="/orders/"][action$="/step"]').count() == 1

    # A follow-up for social protection, completed by the social worker.
    coordinator.goto(case_path)
    check_both_widths(coordinator)
    follow_up = open_form(coordinator, "add-follow-up")
    follow_up.locator('[name="action"]').fill("Home visit and benefits check")
    choose(follow_up, "owner_agency", "социального")
    follow_up.locator('[name="due_on"]').fill((date.today() + timedelta(days=7)).isoformat())
    submit(follow_up)
    no_errors(coordinator)

    social = new_page()
    sign_in(social, "social.sokuluk")
    social.goto("/followups")
    check_languages(social, live_app, "Your agency's open follow-ups")
    social.goto(case_path)
    check_both_widths(social)
    # Marking done is a confirm step in place: the button opens it, then it asks.
    step = social.locator("#follow-ups details.confirm-step", has_text="Mark done").first
    step.locator("summary").click()
    done = step.locator('form[action$="/close"]')
    done.locator('[name="note"]').fill("Visited; benefits application filed")
    submit(done)
    no_errors(social)
    assert social.locator('form[action$="/close"] input[value="done"]').count() == 0
    assert social.locator('form[action$="/undo"]').count() == 1  # a mistaken "done" undone

    # The committee meets about the case and prints the minutes.
    coordinator.goto("/meetings/new")
    check_languages(coordinator, live_app)
    schedule_meeting(coordinator, days_ahead=3)
    check_languages(coordinator, live_app)
    agenda = coordinator.locator('form[action$="/agenda"]')
    agenda.locator('[name="reference"]').fill(reference)
    submit(agenda)
    no_errors(coordinator)
    assert reference in coordinator.locator("main").inner_text()
    minutes = coordinator.locator('a[href$="/minutes.pdf"]').get_attribute("href")
    pdf = coordinator.context.request.get(minutes)
    assert pdf.status == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")

    # The ministry's analyst sees the national report, never the case.
    analyst = new_page()
    sign_in(analyst, "ministry.analyst")
    analyst.goto("/reports")
    check_languages(analyst, live_app)
    href = analyst.locator('a[href*="/reports/aggregate.pdf"]').first.get_attribute("href")
    report = analyst.context.request.get(href)
    assert report.status == 200
    assert report.body().startswith(b"%PDF")
    refused = analyst.goto(case_path)
    assert refused.status in (403, 404)
    check_languages(analyst, live_app)
