"""Issue 16 in the browser: a duplicate flagged at intake without disclosing an
invisible case, a search by name, by part of a reference and by a police
register number, and a case moving from Sokuluk to Kara-Suu and back."""
from __future__ import annotations

import re
from datetime import date, timedelta

from tests_e2e.accessibility import check_both_widths
from tests_e2e.test_journey import choose, no_errors, open_form, sign_in, submit

#: The police register (ERPP) number of the first case's incident.
REGISTER_NUMBER = "ЕРПП 02-417-93851"


def _intake(page, last: str, first: str, lead: str, register: str = "") -> None:
    page.goto("/cases/new?lang=en")
    check_both_widths(page)
    form = page.locator("form.intake")
    choose(form, "lead_agency", lead)
    values = {
        "survivor-last_name": last, "survivor-first_name": first,
        "survivor-birth_year": "1987",
        "perpetrator-last_name": "Жумалиев", "perpetrator-first_name": "Талант",
        "incident-occurred_on": (date.today() - timedelta(days=2)).isoformat(),
        "incident-crime_register_number": register,
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


def _reference(page) -> str:
    return re.search(r"DV-\d{4}-[0-9A-Z]{6}", page.locator("h1").first.inner_text()).group(0)


def test_duplicate_search_and_transfer(new_page, base_url):
    coordinator = new_page()
    sign_in(coordinator, "coordinator.sokuluk")
    _intake(coordinator, "Өмүрбекова", "Айгүл", "Комитет", register=REGISTER_NUMBER)
    no_errors(coordinator)
    first = _reference(coordinator)
    case_path = coordinator.url.removeprefix(base_url)

    # Another agency, which cannot see that case, registers the same survivor
    # in Latin letters: warned, told whom to call, never shown the reference.
    social = new_page()
    sign_in(social, "social.sokuluk")
    _intake(social, "Omurbekova", "Aigul", "социального")
    warning = social.locator("#duplicates").inner_text()
    assert "contact the committee of Sokuluk" in warning
    assert first not in social.content()
    social.locator('[name="different_person"]').check()
    submit(social.locator("form.intake"))
    no_errors(social)
    second = _reference(social)

    # The committee finds both by name, in Russian spelling.
    coordinator.goto("/cases?q=Омурбекова&lang=en")
    check_both_widths(coordinator)
    listed = coordinator.locator("table").inner_text()
    assert first in listed and second in listed

    # It finds the first case by a part of its reference, and by a part of the
    # police register number, typed into the search box of the case list.
    for typed in (first[-5:], "417-9385"):
        coordinator.goto("/cases?lang=en")
        check_both_widths(coordinator)
        search = coordinator.locator("form.filters")
        search.locator('[name="q"]').fill(typed)
        submit(search)
        no_errors(coordinator)
        listed = coordinator.locator("table").inner_text()
        assert first in listed and second not in listed, typed

    # The case moves to Kara-Suu ...
    coordinator.goto(case_path)
    check_both_widths(coordinator)
    propose = open_form(coordinator, "propose-transfer")
    choose(propose, "to_district", "Kara-Suu")
    submit(propose)
    no_errors(coordinator)
    karasuu = new_page()
    sign_in(karasuu, "coordinator.karasuu")
    karasuu.goto("/transfers?lang=en")
    check_both_widths(karasuu)
    with karasuu.expect_navigation():
        karasuu.locator(f"a:has-text('{first}')").click()
    check_both_widths(karasuu)
    accept = karasuu.locator('form[action$="/accept"]')
    choose(accept, "lead_agency", "Комитет")
    submit(accept)
    no_errors(karasuu)
    assert karasuu.url.removeprefix(base_url).split("#")[0] == case_path
    assert "Kara-Suu" in karasuu.locator("main").inner_text()

    # ... and back to Sokuluk; Kara-Suu keeps reading it while it is open.
    back = open_form(karasuu, "propose-transfer")
    choose(back, "to_district", "Sokuluk")
    submit(back)
    no_errors(karasuu)
    coordinator.goto("/transfers?lang=en")
    check_both_widths(coordinator)
    with coordinator.expect_navigation():
        coordinator.locator(f"a:has-text('{first}')").click()
    check_both_widths(coordinator)
    accept = coordinator.locator('form[action$="/accept"]')
    choose(accept, "lead_agency", "Комитет")
    submit(accept)
    no_errors(coordinator)
    karasuu.goto(case_path)
    check_both_widths(karasuu)
    assert first in karasuu.locator("h1").first.inner_text()
