"""Population figures from a CSV file: all lines right, or nothing changes."""
from __future__ import annotations

import io

import pytest

from coordination.audit.models import AuditAction
from coordination.population import imports
from coordination.refusals import Forbidden
from tests.helpers import csrf_token
from tests.population.helpers import SOKULUK, all_figures, audited, figure

HEADER = "territory_code,year,sex,population\n"


def _upload(client, data: bytes, lang: str | None = None):
    page = client.get("/admin/population/import" + (f"?lang={lang}" if lang else ""))
    return client.post("/admin/population/import", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(page.text), "file": (io.BytesIO(data), "population.csv")})


def test_a_good_file_adds_and_replaces_figures_without_the_demo_mark(login_as, user):
    client = login_as("admin")
    data = ("\ufeff" + HEADER + f"{SOKULUK},2026,female,121500\n"
            f"{SOKULUK},2026,male,\"118 900\"\n\n41708,2019,FEMALE,520000\n").encode()
    response = _upload(client, data)
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/population?year=2026"
    assert "3 population figures imported." in client.get(response.headers["Location"]).text
    replaced = figure(SOKULUK, 2026, "male")
    assert (replaced.population, replaced.demo, replaced.updated_by_id) == (
        118_900, False, user("admin").id)
    assert figure(SOKULUK, 2026, "female").population == 121_500
    assert figure("41708", 2019, "female").population == 520_000
    assert figure(SOKULUK, 2025, "male").demo  # not in the file: untouched
    assert audited(AuditAction.POPULATION_IMPORTED) == 1


def test_a_semicolon_file_with_the_columns_in_another_order_is_read(login_as):
    response = _upload(login_as("admin"),
                       b"sex;population;year;territory_code\nmale;7;2018;41708222\n")
    assert response.status_code == 302
    assert figure(SOKULUK, 2018, "male").population == 7


BAD_LINES = (HEADER
             + f"{SOKULUK},2026,female,1000\n"          # line 2: right
             + "41708222001,2026,female,10\n"             # 3: a municipality
             + "99999,2026,female,10\n"                   # 4: no such code
             + f"{SOKULUK},1800,male,10\n"               # 5: year out of bounds
             + f"{SOKULUK},2026,other,10\n"              # 6: unknown sex
             + f"{SOKULUK},2026,male,-4\n"               # 7: negative
             + f"{SOKULUK},2026,female,20\n"             # 8: same as line 2
             + f"{SOKULUK},2026\n"                       # 9: too few values
             + ",2026,male,1\n"                           # 10: empty code
             + f"{SOKULUK},2026,male,1.5\n")              # 11: not whole


def test_a_file_with_bad_lines_changes_nothing_and_names_each_line(login_as):
    client = login_as("admin")
    before = all_figures()
    response = _upload(client, BAD_LINES.encode())
    assert response.status_code == 200
    page = response.text
    assert "9 problems: nothing was imported" in page
    for line, message in [
        (3, "Figures are given for regions and districts only; 41708222001 is neither."),
        (4, "There is no territory with the code 99999."),
        (5, "Enter a year from 1991 to"),
        (6, "Unknown sex other; use female or male."),
        (7, "Enter the population as a whole number from 0 to"),
        (8, "The same territory, year and sex are also on line 2."),
        (9, "Expected 4 values separated by commas, found 2."),
        (10, "The territory code is empty."),
        (11, "Enter the population as a whole number from 0 to"),
    ]:
        assert f'<span class="line">Line {line}</span> {message}' in page, line
    assert "Line 2<" not in page
    assert all_figures() == before
    assert audited(AuditAction.POPULATION_IMPORTED) == 0


def test_the_problems_are_in_the_users_language(login_as):
    response = _upload(login_as("admin"), BAD_LINES.encode(), lang="ru")
    assert "Unknown sex" not in response.text
    assert "Строка 6" in response.text


@pytest.mark.parametrize(("data", "message"), [
    (b"", "The file is empty."),
    (b"code,year,sex,population\n41708222,2026,male,1\n",
     "The first line must name the columns territory_code, year, sex, population."),
    (HEADER.encode(), "The file has no figures to import."),
    ((HEADER + f"{SOKULUK},2026,female,1000\n").encode("utf-16"), "UTF-16"),
    ((HEADER + "41708222,2026,жен,1000\n").encode("cp1251"), "is not in UTF-8"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "is not in UTF-8"),
    ((HEADER + '41708222,2026,"female,1000\n').encode(), "found 3."),
])
def test_bad_files_are_explained_and_never_a_server_error(login_as, data, message):
    before = all_figures()
    response = _upload(login_as("admin"), data)
    assert response.status_code == 200
    assert message in response.text
    assert all_figures() == before


def test_the_size_and_line_limits(app, login_as, monkeypatch):
    client = login_as("admin")
    monkeypatch.setitem(app.config, "IMPORT_MAX_LINES", 2)
    lines = HEADER + "".join(f"{SOKULUK},{year},male,1\n" for year in (2016, 2017, 2018))
    assert "at most 2 can be imported at once" in _upload(client, lines.encode()).text
    assert figure(SOKULUK, 2016, "male") is None


def test_a_file_over_the_size_limit_is_refused(app, user, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_MAX_BYTES", 1024 * 1024)
    big = (HEADER + f"{SOKULUK},2016,male,1\n" * 70_000).encode()
    outcome = imports.run_import(user("admin"), big)
    assert [str(p.message) for p in outcome.problems] == [
        "The file is larger than 1 MB. Split it into smaller files."]
    assert figure(SOKULUK, 2016, "male") is None


def test_only_administrators_import(user):
    with pytest.raises(Forbidden):
        imports.run_import(user("coordinator.sokuluk"),
                           (HEADER + f"{SOKULUK},2016,male,1\n").encode())
