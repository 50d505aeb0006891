"""Each role's day, starting on the home page (issue 15, item 9).

Coordinator (Kyrgyz), police inspector (Russian, on a phone), social worker
(English), the committee at its meeting (Russian), the ministry's analyst
(Kyrgyz) and the administrator (English). They assert what the person sees:
the message where they acted, the confirmation asked first, the corrected
value in the timeline. Every page visited passes the accessibility check at
desktop and at phone width. Controls are found by their labels and roles, so
the journeys survive changes to the lists' layout.

Each journey counts the clicks of its main task (one per link, button,
summary, box ticked or option chosen; typing is not counted) into
``test-output/clicks.txt``; docs/decisions.md (issue 15) keeps the table.
"""
from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests_e2e.accessibility import DESKTOP, PHONE, check_both_widths
from tests_e2e.conftest import OUTPUT
from tests_e2e.test_journey import form_opener, sign_in, translated


@pytest.fixture(scope="module", autouse=True)
def _fresh_click_counts():
    """Each run writes its own counts."""
    (OUTPUT / "clicks.txt").unlink(missing_ok=True)


class Day:
    """One person's browser: pages checked at both widths, clicks counted."""

    def __init__(self, page, app, lang: str, task: str):
        self.page, self.app, self.lang, self.task = page, app, lang, task
        self.clicks = 0

    def t(self, msgid: str) -> str:
        return translated(self.app, msgid, self.lang)

    def check(self) -> None:
        """axe at the width in use and at the other one."""
        check_both_widths(self.page)

    def start(self) -> None:
        response = self.page.goto(f"/?lang={self.lang}")
        assert response is not None and response.status == 200
        assert self.page.locator("html").get_attribute("lang") == self.lang
        self.check()

    def click(self, locator, navigates: bool = True) -> None:
        self.clicks += 1
        if navigates:
            with self.page.expect_navigation():
                locator.click()
            self.page.wait_for_load_state()
            assert self.page.locator(".error-page, h1:has-text('500')").count() == 0
            self.check()
        else:
            locator.click()

    def open_form(self, key: str):
        """Follow the opener link of the case page's form ``key`` (a click
        and a page load: each form is drawn only when asked for); returns
        the form, drawn open."""
        self.click(form_opener(self.page, key))
        form = self.page.locator(f"details#{key}[open] form")
        assert form.is_visible(), key
        return form

    def choose(self, select, **option) -> None:
        self.clicks += 1
        select.select_option(**option)

    def tick(self, box) -> None:
        self.clicks += 1
        box.check()

    def message_in(self, section_id: str, kind: str = "success") -> str:
        """The message shown inside the section the person acted in."""
        message = self.page.locator(f"#{section_id} .flash-{kind}")
        assert message.count() >= 1, (section_id, self.page.locator(".flash").all_inner_texts())
        assert message.first.is_visible()
        return message.first.inner_text()

    def record(self) -> None:
        OUTPUT.mkdir(exist_ok=True)
        with Path(OUTPUT / "clicks.txt").open("a", encoding="utf-8") as out:
            out.write(f"{self.task}\t{self.clicks}\n")


def _fill_intake(day: Day) -> None:
    form = day.page.locator("form.intake")
    lead = form.locator('select[name="lead_agency"]')
    labels = lead.locator("option").all_inner_texts()
    day.choose(lead, label=next(label for label in labels if "Комитет" in label))
    for name, value in {
        "survivor-last_name": "Токтосунова", "survivor-first_name": "Айгүл",
        "survivor-birth_year": "1990", "survivor-phone": "+996 555 700700",
        "perpetrator-last_name": "Токтосунов", "perpetrator-first_name": "Нурлан",
        "perpetrator-birth_year": "1986",
        # Typed the country's way (issue 15, item 8).
        "incident-occurred_on": f"{date.today() - timedelta(days=1):%d.%m.%Y}",
    }.items():
        form.locator(f'[name="{name}"]').fill(value)
    for name, value in {"survivor-sex": "female", "perpetrator-sex": "male",
                        "perpetrator-relationship": "spouse", "incident-place": "shared_home",
                        "incident-reported_by": "survivor"}.items():
        day.choose(form.locator(f'select[name="{name}"]'), value=value)
    day.tick(form.locator('input[name="incident-forms"][value="physical"]'))
    day.click(form.get_by_role("button").last)
    if day.page.locator("#duplicates").count():  # an earlier run's survivor
        day.tick(form.locator('input[name="different_person"]'))
        day.click(form.get_by_role("button").last)
    assert re.search(r"/cases/[a-z2-7]{13}", day.page.url), day.page.url


def test_a_case_through_the_coordinator_police_and_social_worker(new_page, live_app, base_url):
    # The coordinator (Kyrgyz, desktop): register, consent, refer to the police.
    coordinator = Day(new_page(DESKTOP), live_app, "ky", "coordinator: register and refer")
    sign_in(coordinator.page, "coordinator.sokuluk")
    coordinator.start()
    coordinator.click(coordinator.page.get_by_role("link", name=coordinator.t("New case")))
    _fill_intake(coordinator)
    case_path = coordinator.page.url.removeprefix(base_url).split("#")[0].split("?")[0]
    reference = re.search(r"DV-\d{4}-[0-9A-Z]{6}",
                          coordinator.page.locator("h1").first.inner_text()).group(0)
    consent = coordinator.open_form("record-consent")
    for kind in ("police", "social"):
        coordinator.tick(consent.locator(f'input[name="agency_types"][value="{kind}"]'))
    coordinator.tick(consent.locator('input[name="statistics"]'))
    coordinator.click(consent.get_by_role("button").last)
    section = coordinator.page.locator("section:has(#record-consent)").get_attribute("id")
    coordinator.message_in(section)
    referral = coordinator.open_form("send-referral")
    to_agency = referral.locator('select[name="to_agency"]')
    police_label = next(label for label in to_agency.locator("option").all_inner_texts()
                        if "ОВД" in label)
    coordinator.choose(to_agency, label=police_label)
    coordinator.choose(referral.locator('select[name="service"]'), value="police_protection")
    coordinator.click(referral.get_by_role("button").last)
    coordinator.message_in("referrals")
    coordinator.record()

    # A follow-up for social protection, due in two days (typed dd.mm.yyyy).
    follow_up = coordinator.open_form("add-follow-up")
    follow_up.locator('[name="action"]').fill("Үйгө баруу, жөлөкпулду текшерүү")
    owner = follow_up.locator('select[name="owner_agency"]')
    coordinator.choose(owner, label=next(label for label in owner.locator("option")
                                         .all_inner_texts() if "социального" in label))
    follow_up.locator('[name="due_on"]').fill(f"{date.today() + timedelta(days=2):%d.%m.%Y}")
    coordinator.click(follow_up.get_by_role("button").last)
    coordinator.message_in("follow-ups")

    # A correction: the survivor's first name, old and new in the timeline.
    # The person's "Correct or complete" link opens the page at their form.
    people = coordinator.page.locator("#people")
    coordinator.click(people.locator("a.correct-person").first)
    correct = coordinator.page.locator("form#correct-person")
    correct.locator('[name="first_name"]').fill("Айгерим")
    coordinator.click(correct.get_by_role("button").last)
    coordinator.message_in("people")
    timeline = coordinator.page.locator("#timeline").inner_text()
    assert "Айгүл" in timeline and "Айгерим" in timeline, timeline[:800]

    # The police inspector (Russian, on a phone): the referral accepted in
    # place on the home page, back there with the message in the panel.
    police = Day(new_page(PHONE), live_app, "ru", "police: answer a referral")
    sign_in(police.page, "police.sokuluk")
    police.start()
    row = police.page.locator("#referrals-awaiting tr", has_text=reference)
    assert row.count() == 1, police.page.locator("#referrals-awaiting").inner_text()[:800]
    police.click(row.get_by_role("button", name=police.t("Accept")))
    assert police.page.url.split("?")[0].endswith("/")
    police.message_in("referrals-awaiting")
    assert reference not in police.page.locator("#referrals-awaiting").inner_text()
    police.record()
    police.page.goto(case_path)
    police.check()
    assert police.t("Accepted") in police.page.locator("#referrals").inner_text()

    # The social worker (English): the follow-up due, marked done in place.
    social = Day(new_page(DESKTOP), live_app, "en", "social worker: mark a follow-up done")
    sign_in(social.page, "social.sokuluk")
    social.start()
    row = social.page.locator("#follow-ups-due tr", has_text=reference)
    assert row.count() == 1, social.page.locator("#follow-ups-due").inner_text()[:800]
    social.click(row.get_by_text("Mark done", exact=True), navigates=False)
    # The confirm step says what will happen before anything is written.
    assert "will be closed as done" in row.inner_text()
    row.get_by_label("What was done").fill("Visited; the benefit application is filed")
    social.click(row.get_by_role("button", name="Confirm: mark done"))
    social.message_in("follow-ups-due")
    assert social.page.locator('#follow-ups-due form[action$="/undo"]').count() == 1
    social.record()


def test_the_committee_records_a_decision_at_its_meeting(new_page, live_app):
    committee = Day(new_page(DESKTOP), live_app, "ru", "committee: record a decision")
    sign_in(committee.page, "coordinator.sokuluk")
    committee.start()
    panel = committee.page.locator("#next-meeting")
    committee.click(panel.locator("a[href*='/meetings/']").first)
    form = committee.page.locator('form[action$="/decisions"]')
    assert form.count() == 1, committee.page.locator("main").inner_text()[:800]
    committee.choose(form.locator('select[name="case"]'), index=1)
    form.locator('[name="action"]').fill("Провести беседу с семьёй")
    owner = form.locator('select[name="owner_agency"]')
    committee.choose(owner, label=next(label for label in owner.locator("option")
                                       .all_inner_texts() if "социального" in label))
    form.locator('[name="due_on"]').fill(f"{date.today() + timedelta(days=10):%d.%m.%Y}")
    committee.click(form.get_by_role("button").last)
    if committee.page.locator(".flash-error").count():
        # The consent does not cover social protection: the ground is asked for.
        form = committee.page.locator('form[action$="/decisions"]')
        committee.choose(form.locator('select[name="legal_ground"]'), value="danger_to_life")
        committee.click(form.get_by_role("button").last)
    assert committee.page.locator(".flash-success").count() == 1
    assert "Провести беседу с семьёй" in committee.page.locator("main").inner_text()
    committee.record()


def test_the_analyst_reads_a_quarter_in_kyrgyz(new_page, live_app):
    analyst = Day(new_page(DESKTOP), live_app, "ky", "analyst: a quarter's report")
    sign_in(analyst.page, "ministry.analyst")
    analyst.start()
    assert analyst.page.url.split("?")[0].endswith("/reports")
    form = analyst.page.locator("form.report-filters")
    form.get_by_label(analyst.t("From (month and year)")).fill("01.2026")
    form.get_by_label(analyst.t("To (month and year)")).fill("03.2026")
    analyst.click(form.get_by_role("button", name=analyst.t("Show")))
    assert "Январь 2026 – Март 2026" in analyst.page.locator("main").inner_text()
    csv = analyst.page.get_by_role("link", name="CSV").get_attribute("href")
    assert "from=2026-01" in csv or "from=01.2026" in csv, csv
    assert analyst.page.context.request.get(csv).status == 200
    analyst.clicks += 1  # the download
    analyst.record()


def test_the_administrator_adds_a_user(new_page, live_app):
    admin = Day(new_page(DESKTOP), live_app, "en", "administrator: add a user")
    sign_in(admin.page, "admin")
    admin.start()  # lands on administration
    assert admin.page.url.split("?")[0].endswith("/admin/users")
    admin.click(admin.page.get_by_role("link", name="Add a user"))
    form = admin.page.locator("main form").first
    form.get_by_label("Full name").fill("Жылдыз Маматова")
    username = f"zh.mamatova.{date.today():%m%d}"
    form.get_by_label("Username").fill(username)
    agency = form.get_by_label("Agency")
    admin.choose(agency, label=next(label for label in agency.locator("option").all_inner_texts()
                                    if "социального" in label and "Сокулук" in label))
    admin.choose(form.get_by_label("Role"), value="member")
    admin.click(form.get_by_role("button").last)
    assert admin.page.locator("h1").inner_text().strip() == "Account created"
    assert username in admin.page.locator("main").inner_text()
    admin.record()
    # A reload shows the page again; it does not post the form a second time.
    admin.page.reload()
    assert "already" not in admin.page.locator("main").inner_text()
