"""A call to 117 recorded by the crisis centre's operator, triaged by the
committee into a new case, as they click through it in a browser."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

from tests_e2e.accessibility import check_both_widths
from tests_e2e.test_journey import check_languages, no_errors, sign_in, submit

SUMMARY = "Neighbour reports a woman crying for help, husband drunk"


def test_a_117_call_through_the_triage_queue_into_a_case(new_page, live_app):
    operator = new_page()
    sign_in(operator, "crisis.sokuluk")
    operator.goto("/triage/new")
    check_languages(operator, live_app, "Record an incoming report")
    form = operator.locator("main form")
    form.locator('select[name="source"]').select_option("117")
    called = datetime.now() - timedelta(minutes=15)
    form.locator('[name="received_at"]').fill(called.strftime("%Y-%m-%dT%H:%M"))
    form.locator('select[name="district"]').select_option(index=0)
    form.locator('[name="summary"]').fill(SUMMARY)
    submit(form)
    no_errors(operator)
    assert "triage queue" in operator.locator("main").inner_text()

    coordinator = new_page()
    sign_in(coordinator, "coordinator.sokuluk")
    coordinator.goto("/")
    check_both_widths(coordinator)
    panel = coordinator.locator("#triage-waiting")
    assert "117" in panel.inner_text()
    with coordinator.expect_navigation():
        panel.locator("a", has_text="Open the triage queue").click()
    check_languages(coordinator, live_app, "Triage queue")
    report = coordinator.locator("section.triage-report", has_text=SUMMARY)
    with coordinator.expect_navigation():
        report.locator("a", has_text="Open a new case").click()
    check_both_widths(coordinator)
    intake = coordinator.locator("form.intake")
    # Prefilled from the report: the district and the day of the call.
    assert intake.locator('[name="incident-occurred_on"]').input_value() == \
        f"{called:%d.%m.%Y}"  # shown the country's way (issue 15)
    values = {"survivor-last_name": "Асанова", "survivor-first_name": "Айгүл",
              "survivor-birth_year": "1991", "perpetrator-last_name": "Асанов",
              "perpetrator-first_name": "Бакыт", "perpetrator-birth_year": "1988"}
    for name, value in values.items():
        intake.locator(f'[name="{name}"]').fill(value)
    intake.locator('select[name="survivor-sex"]').select_option("female")
    intake.locator('select[name="perpetrator-sex"]').select_option("male")
    intake.locator('select[name="perpetrator-relationship"]').select_option("spouse")
    intake.locator('select[name="lead_agency"]').select_option(index=1)
    intake.locator('select[name="incident-place"]').select_option("shared_home")
    intake.locator('select[name="incident-reported_by"]').select_option("call_102_112")
    intake.locator('input[name="incident-forms"][value="physical"]').check()
    submit(intake)
    no_errors(coordinator)
    assert re.search(r"/cases/[a-z2-7]{13}$", coordinator.url), coordinator.url
    coordinator.goto("/triage")
    check_both_widths(coordinator)
    assert SUMMARY not in coordinator.locator("main").inner_text()
