"""Bad input never breaks anything: random and hostile values posted to the
main forms (with a valid CSRF token, as a signed-in user) and put in query
strings never give a 500, and never change what the user may not change:
every row belonging to Kara-Suu stays exactly as it was for a Sokuluk user.
"""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coordination.agencies.models import Agency
from coordination.cases.models import Case
from coordination.extensions import db
from coordination.followups.models import FollowUp
from coordination.protection.models import ProtectionOrder
from coordination.public_ids import decode
from coordination.referrals.models import Referral
from coordination.territories.models import Territory
from coordination.territories.services import territory_by_code
from tests.helpers import csrf_token, enrol, login, pid

SOKULUK, KARASUU = "41708222", "41706226"

PROPERTY = settings(max_examples=30, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


def _ids() -> dict[str, list[int]]:
    """Ids of objects in both districts, to forge into URLs and fields."""
    found = {}
    for key, code in (("sok", SOKULUK), ("ks", KARASUU)):
        district = territory_by_code(code)
        cases = db.session.scalars(sa.select(Case.id).where(Case.district_id == district.id)
                                   .order_by(Case.id).limit(5)).all()
        agencies = db.session.scalars(sa.select(Agency.id).where(
            Agency.territory_id.in_(_district_and_municipalities(district.id)))).all()
        found[f"{key}_cases"] = cases
        found[f"{key}_agencies"] = agencies
        for name, model in (("referrals", Referral), ("followups", FollowUp),
                            ("orders", ProtectionOrder)):
            found[f"{key}_{name}"] = db.session.scalars(
                sa.select(model.id).join(Case, model.case_id == Case.id)
                .where(Case.district_id == district.id).limit(3)).all()
    return found


def _district_and_municipalities(district_id: int) -> list[int]:
    below = db.session.scalars(sa.select(Territory.id).where(Territory.parent_id == district_id))
    return [district_id, *below]


def _karasuu_snapshot() -> dict:
    """Every row of Kara-Suu's cases, of what hangs off them, and of its agencies' users."""
    district = territory_by_code(KARASUU)
    case_ids = sa.select(Case.id).where(Case.district_id == district.id).scalar_subquery()
    agencies = sa.select(Agency.id).where(
        Agency.territory_id.in_(_district_and_municipalities(district.id))
    ).scalar_subquery()
    snapshot = {}
    for table in db.metadata.sorted_tables:
        if table.name == "cases":
            where = table.c.district_id == district.id
        elif "case_id" in table.c:
            where = table.c.case_id.in_(case_ids)
        elif table.name == "users":
            where = table.c.agency_id.in_(agencies)
        elif table.name == "meetings":
            where = table.c.committee_id.in_(agencies)
        else:
            continue
        order = list(table.primary_key.columns)
        snapshot[table.name] = db.session.execute(
            sa.select(table).where(where).order_by(*order)).all()
    return snapshot


@pytest.fixture(scope="module")
def ids(app):
    return _ids()


def hostile_text():
    return st.one_of(
        st.text(max_size=40),
        st.text(alphabet=st.characters(max_codepoint=0x1f), max_size=10),
        st.sampled_from(["", " ", "\x00", "x" * 5000, "0", "-1", "99999999999999999999",
                         "1e309", "NaN", "2026-02-30", "0000-00-00", "9999-12-31T25:61",
                         "' OR 1=1 --", "<script>alert(1)</script>", "=HYPERLINK(\"x\")",
                         "../../etc/passwd", "%00", "\u202e", "true", "[]", "{}"]),
        st.integers(min_value=-(2**63), max_value=2**64).map(str),
    )


def field_values(names, forged_ids):
    """Values for ``names``: hostile text, forged ids, or several values at once."""
    one = st.one_of(hostile_text(), st.sampled_from(forged_ids).map(str))
    return st.fixed_dictionaries(
        {}, optional={name: st.one_of(one, st.lists(one, min_size=2, max_size=3))
                      for name in names})


FORGED = ("agency_id", "case_id", "version", "district_id", "created_by_id", "id")

#: (user, url pattern, form fields); {case}, {referral}... are filled from ``ids``.
FORMS = [
    ("coordinator.sokuluk", "/cases/new",
     ["district", "municipality", "lead_agency", "survivor-last_name", "survivor-first_name",
      "survivor-sex", "survivor-birth_year", "survivor-phone", "perpetrator-last_name",
      "perpetrator-first_name", "perpetrator-sex", "perpetrator-relationship",
      "children-0-first_name", "children-0-birth_year", "children-9-sex",
      "incident-occurred_on", "incident-forms", "incident-place", "incident-reported_by"]),
    ("coordinator.sokuluk", "/cases/{case}/consent", ["scope", "agency_type"]),
    ("coordinator.sokuluk", "/cases/{case}/referrals",
     ["to_agency", "service", "priority", "legal_ground"]),
    ("police.sokuluk", "/referrals/{referral}/step", ["step", "version", "note"]),
    ("coordinator.sokuluk", "/cases/{case}/followups",
     ["action", "owner_agency", "owner_user", "due_on"]),
    ("social.sokuluk", "/followups/{followup}/close", ["outcome", "version", "note"]),
    ("police.sokuluk", "/cases/{case}/orders",
     ["kind", "issued_at", "months", "prohibitions", "electronic_monitoring"]),
    ("coordinator.sokuluk", "/cases/{case}/risk", ["yes", "raised_to", "reason"]),
    ("coordinator.sokuluk", "/meetings/new", ["scheduled_for", "place"]),
    ("coordinator.sokuluk", "/admin/users/new",
     ["username", "full_name", "agency", "role", "language"]),
]


def _url(pattern: str, ids, district: str) -> str:
    return pattern.format(case=pid(ids[f"{district}_cases"][0], "case"),
                          referral=pid((ids[f"{district}_referrals"] or [0])[0], "referral"),
                          followup=pid((ids[f"{district}_followups"] or [0])[0], "follow_up"))


@pytest.mark.slow
@pytest.mark.parametrize("username, pattern, names", FORMS,
                         ids=[pattern for _user, pattern, _names in FORMS])
def test_hostile_form_posts(login_as, ids, username, pattern, names):
    client = login_as(username)
    token = csrf_token(client.get("/profile").text)
    forged = [*ids["ks_cases"], *ids["ks_agencies"], *ids["ks_referrals"],
              *ids["ks_followups"], 0, -1, 2**31]
    before = _karasuu_snapshot()

    @PROPERTY
    @given(values=field_values([*names, *FORGED], forged),
           district=st.sampled_from(["sok", "ks"]))
    def post(values, district):
        url = _url(pattern, ids, district)
        response = client.post(url, data={**values, "csrf_token": token})
        assert response.status_code < 500, (url, values)
        if district == "ks" and "{" in pattern:
            assert response.status_code in (403, 404), (url, response.status_code)

    post()
    assert _karasuu_snapshot() == before


def test_hostile_login(client):
    token = csrf_token(client.get("/login").text)

    @PROPERTY
    @given(values=field_values(["username", "password", "next"], [1]))
    def post(values):
        response = client.post("/login", data={**values, "csrf_token": token})
        assert response.status_code in (200, 302, 400), values
        if response.status_code == 302:  # only a demo password signs in, never here
            pytest.fail(f"signed in with {values}")

    post()


def test_hostile_two_factor_codes(client, user, monkeypatch, app):
    """The code step: hostile codes never give a 500 and never sign in."""
    enrol(user("police.sokuluk"))
    # Keep the form in play: with the real limit the lock would end the wait at once.
    monkeypatch.setitem(app.config, "LOGIN_MAX_FAILURES", 10_000)
    login(client, "police.sokuluk")
    token = csrf_token(client.get("/login/two-factor").text)

    @PROPERTY
    @given(values=field_values(["code", "next"], [1]))
    def post(values):
        response = client.post("/login/two-factor", data={**values, "csrf_token": token})
        assert response.status_code in (200, 400), values

    post()
    assert client.get("/profile").status_code == 302  # still not signed in


@pytest.mark.parametrize("username, url, names", [
    ("coordinator.sokuluk", "/cases", ["status", "district", "risk", "q", "page"]),
    ("ministry.analyst", "/reports", ["from", "to", "region", "district", "table"]),
    ("coordinator.sokuluk", "/reports", ["from", "to", "region", "district", "table"]),
])
def test_hostile_query_strings(login_as, ids, username, url, names):
    client = login_as(username)

    @PROPERTY
    @given(values=field_values(names, [*ids["ks_agencies"], *ids["ks_cases"]]))
    def get(values):
        response = client.get(url, query_string=values)
        assert response.status_code < 500, values
        if url == "/cases":
            assert not set(ids["ks_cases"]) & _linked_case_ids(response.text)

    get()


def _linked_case_ids(html: str) -> set[int]:
    import re

    return {decode("case", found) for found in re.findall(r'href="/cases/([a-z2-7]{13})"', html)}
