"""The administration's pages for population figures: the list by year, one
figure's form; administrators only."""
from __future__ import annotations

import pytest

from coordination.audit.models import AuditAction
from coordination.demo import demo_usernames
from coordination.population import services
from coordination.refusals import Forbidden
from coordination.territories.services import territory_by_code
from tests.helpers import csrf_token, post_form
from tests.population.helpers import SOKULUK, all_figures, audited, figure

PAGES = ("/admin/population", "/admin/population/new", "/admin/population/import")


def test_the_list_names_territories_in_the_users_language_and_marks_demo_figures(login_as):
    client = login_as("admin")
    page = client.get("/admin/population?year=2026&lang=ky").text
    assert "Сокулук району" in page and "Бишкек шаары" in page
    shown = figure(SOKULUK, 2026, "female").population
    assert f"{shown:,}".replace(",", "\u00a0") in page or str(shown) in page.replace(
        "\u00a0", "").replace("\u202f", "").replace(" ", "")
    assert page.count('class="tag tag-warn"') == 54  # every region and district
    assert "Сокулукский район" in client.get("/admin/population?lang=ru").text


def test_the_list_filters_by_year(login_as):
    client = login_as("admin")
    earlier = figure(SOKULUK, 2025, "male")
    page = client.get("/admin/population?year=2025").text
    assert f"/admin/population/{earlier.id}\"" in page
    assert f"/admin/population/{figure(SOKULUK, 2026, 'male').id}\"" not in page
    # A year that is not offered falls back to the newest one, never an error.
    fallback = client.get("/admin/population?year=1066")
    assert fallback.status_code == 200
    assert f"/admin/population/{figure(SOKULUK, 2026, 'male').id}\"" in fallback.text


def test_the_territories_page_links_to_the_figures(login_as):
    assert 'href="/admin/population"' in login_as("admin").get("/admin/territories").text


def test_changing_a_demo_figure_saves_it_without_the_mark_and_audits_it(login_as, user):
    client = login_as("admin")
    demo = figure(SOKULUK, 2026, "female")
    assert demo.demo
    response = post_form(client, f"/admin/population/{demo.id}", {
        "territory_id": demo.territory_id, "year": 2026, "sex": "female",
        "population": 123_456})
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/population?year=2026"
    saved = figure(SOKULUK, 2026, "female")
    assert (saved.population, saved.demo, saved.updated_by_id) == (
        123_456, False, user("admin").id)
    assert audited(AuditAction.POPULATION_CHANGED) == 1
    services.save_figure(user("admin"), saved, services.FigureData(
        saved.territory_id, 2026, "female", 123_456))  # unchanged: not audited again
    assert audited(AuditAction.POPULATION_CHANGED) == 1


def test_a_new_figure_is_added(login_as):
    client = login_as("admin")
    district = territory_by_code(SOKULUK)
    form = client.get(f"/admin/population/new?year=2019&territory={district.id}&sex=male")
    assert 'value="2019"' in form.text
    response = post_form(client, "/admin/population/new", {
        "territory_id": district.id, "year": 2019, "sex": "male", "population": "0"})
    assert response.status_code == 302
    assert figure(SOKULUK, 2019, "male").population == 0


@pytest.mark.parametrize(("change", "message"), [
    ({"population": "-5"}, "Enter the population as a whole number from 0 to"),
    ({"population": "12 000"}, "Enter the population as a whole number, without spaces."),
    ({"population": str(10**40)}, "Enter the population as a whole number from 0 to"),
    ({"population": ""}, "Enter the population."),
    ({"year": "1800"}, "Enter a year from 1991 to"),
    ({"year": "twenty"}, "Enter the year as four digits"),
    ({"sex": "other"}, "Choose a value from the list."),
    ({"sex": ""}, "Choose the sex."),
    ({"territory_id": "999999"}, "Choose a value from the list."),
    ({"year": "2025"}, "There is already a figure for this territory, year and sex"),
])
def test_bad_input_gives_a_message_and_changes_nothing(login_as, change, message):
    client = login_as("admin")
    demo = figure(SOKULUK, 2026, "female")
    before = all_figures()
    response = post_form(client, f"/admin/population/{demo.id}", {
        "territory_id": demo.territory_id, "year": 2026, "sex": "female",
        "population": 5, **change})
    assert response.status_code == 200
    assert message in response.text
    assert all_figures() == before
    assert audited(AuditAction.POPULATION_CHANGED) == 0


def test_the_country_and_municipalities_have_no_figures_of_their_own(user):
    for code in ("417", "41708222001"):
        with pytest.raises(services.PopulationError, match="Choose a region or a district."):
            services.save_figure(user("admin"), None, services.FigureData(
                territory_by_code(code).id, 2026, "female", 5))


def test_the_form_message_is_in_the_users_language(login_as):
    client = login_as("admin")
    demo = figure(SOKULUK, 2026, "female")
    client.get("/admin/population?lang=ru")
    response = post_form(client, f"/admin/population/{demo.id}", {
        "territory_id": demo.territory_id, "year": 2026, "sex": "female",
        "population": "-5"})
    assert "Enter the population" not in response.text
    assert "Введите" in response.text


def test_a_forged_figure_id_is_404(login_as):
    assert login_as("admin").get("/admin/population/99999999").status_code == 404


@pytest.mark.parametrize("username", sorted(set(demo_usernames()) - {"admin"}))
def test_only_administrators_reach_the_pages(login_as, username):
    client = login_as(username)
    token = csrf_token(client.get("/profile").text)
    demo = figure(SOKULUK, 2026, "female")
    before = all_figures()
    for url in (*PAGES, f"/admin/population/{demo.id}"):
        assert client.get(url).status_code == 403, url
        if url == "/admin/population":
            continue  # the list takes no POST
        assert client.post(url, data={"csrf_token": token, "territory_id": demo.territory_id,
                                      "year": 2026, "sex": "female",
                                      "population": 1}).status_code == 403, url
    assert all_figures() == before


def test_the_service_refuses_non_administrators(user):
    with pytest.raises(Forbidden):
        services.save_figure(user("coordinator.sokuluk"), None, services.FigureData(
            territory_by_code(SOKULUK).id, 2019, "female", 5))
