"""Plausible bounds everywhere (issue 14): every route of ``app.url_map``,
every method it takes, driven with extreme integers and dates in its path,
its query string and (for POST) every field any form has, never answers a
5xx, on SQLite and on PostgreSQL.

The ints go past the database's integer (ids beyond 2**31-1 must be a 404
or 400, not an out-of-range error); the dates reach years 0001 and 9999.
A POST carries a valid CSRF token, so forms are validated for real.
"""
from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections import Counter
from datetime import date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wtforms import DateField, DateTimeLocalField, Form, IntegerField, SelectField
from wtforms.fields.core import UnboundField

import forms
from tests.helpers import csrf_token, login

#: Examples per route and method (derandomized: a run is repeatable).
EXAMPLES = 20
SWEEP = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                 suppress_health_check=[HealthCheck.function_scoped_fixture,
                                        HealthCheck.too_slow])

EDGE_INTS = [0, -1, 2**31 - 1, 2**31, 2**32, 2**53 + 1, 2**63 - 1, 2**63, 2**64, 10**30]
PATH_INTS = st.sampled_from(EDGE_INTS[2:]) | st.integers(min_value=2**31, max_value=10**40)
INTS = st.sampled_from(EDGE_INTS) | st.integers(min_value=-(10**40), max_value=10**40)
DATES = (st.sampled_from(["0001-01-01", "9999-12-31", "0000-00-00", "1899-12-31",
                          "2999-02-29", "9999-12", "0001-01", "-0001-01-01"])
         | st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(str))
MOMENTS = (st.sampled_from(["0001-01-01T00:00", "9999-12-31T23:59", "9999-12-31 23:59",
                            "0001-01-01T00:00:00"])
           | st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59))
           .map(lambda moment: moment.strftime("%Y-%m-%dT%H:%M")))
VALUES = INTS.map(str) | DATES | MOMENTS

#: Query keys the pages and exports read (pages, filters, report periods).
QUERY_KEYS = ["page", "from", "to", "region", "district", "date_from", "date_to", "year",
              "agency", "territory", "user", "status", "risk", "q", "period", "month",
              "quarter", "since", "until", "lang", "kind"]

#: Routes whose POST would end the sweep's own session.
SESSION_ENDING = {("accounts.logout", "POST")}
#: Parametrized slots for the routes (the coverage test checks there are enough).
SLOTS = 180


def _form_fields() -> dict[str, st.SearchStrategy]:
    """Every field name of every form in ``forms``, with values for its type."""
    found: dict[str, st.SearchStrategy] = {}
    for module_info in pkgutil.iter_modules(forms.__path__):
        module = importlib.import_module(f"forms.{module_info.name}")
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if not issubclass(cls, Form):
                continue
            for name, unbound in inspect.getmembers(cls, lambda v: isinstance(v, UnboundField)):
                kind = unbound.field_class
                if issubclass(kind, DateTimeLocalField):
                    found[name] = MOMENTS | DATES
                elif issubclass(kind, DateField):
                    found[name] = DATES | MOMENTS
                elif issubclass(kind, IntegerField | SelectField):
                    found[name] = INTS.map(str) | DATES
                else:
                    found.setdefault(name, VALUES)
    found.pop("csrf_token", None)
    return found


FORM_FIELDS = _form_fields()


def _routes(app) -> list[tuple[str, str, str]]:
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods & {"GET", "POST"}):
            if (rule.endpoint, method) not in SESSION_ENDING:
                routes.append((rule.endpoint, method, rule.rule))
    return sorted(routes)


def _user_for(endpoint: str) -> str:
    """Someone who may use the route's section (the administrator for the
    administration, the Sokuluk committee's head for everything else)."""
    admin_sections = ("users.", "agencies.", "territories.", "population.", "settings.")
    if endpoint.startswith(admin_sections) and endpoint != "agencies.directory":
        return "admin"
    return "coordinator.sokuluk"


def _fill(rule: str, draw) -> str:
    def value(match: re.Match) -> str:
        converter = match.group(1) or "default"
        return str(draw(PATH_INTS)) if converter == "int" else "x" * draw(st.integers(1, 40))

    return re.sub(r"<(?:(\w+)(?:\([^)]*\))?:)?\w+>", value, rule)


#: How many generated requests each route and method received.
SENT: Counter = Counter()


@pytest.fixture(scope="module")
def routes(app):
    return _routes(app)


def test_the_sweep_covers_every_route(app, routes):
    covered = {endpoint for endpoint, _method, _rule in routes}
    every = {rule.endpoint for rule in app.url_map.iter_rules()} - {"static"}
    assert covered == every
    assert len(routes) <= SLOTS


@pytest.mark.parametrize("index", range(SLOTS))
def test_extreme_values_never_give_a_server_error(app, routes, browser, index):
    if index >= len(routes):
        pytest.skip("fewer routes than slots")
    endpoint, method, rule = routes[index]
    client = browser()
    assert login(client, _user_for(endpoint)).status_code == 302
    token = csrf_token(client.get("/profile").text)

    @SWEEP
    @given(data=st.data())
    def sweep(data):
        url = _fill(rule, data.draw)
        query = data.draw(st.dictionaries(st.sampled_from(QUERY_KEYS), VALUES, max_size=4))
        if method == "GET":
            response = client.get(url, query_string=query)
        else:
            names = data.draw(st.lists(st.sampled_from(sorted(FORM_FIELDS)), max_size=8,
                                       unique=True))
            fields = {name: data.draw(FORM_FIELDS[name]) for name in names}
            response = client.post(url, query_string=query,
                                   data={**fields, "csrf_token": token})
        SENT[(endpoint, method)] += 1
        assert response.status_code < 500, (method, url, query, response.status_code)

    sweep()
    assert SENT[(endpoint, method)] >= EXAMPLES


def test_report_the_requests_per_route():
    """Prints what the sweep sent (run with ``-s``); runs after the sweep."""
    if not SENT:
        pytest.skip("the sweep did not run in this session")
    for (endpoint, method), count in sorted(SENT.items()):
        print(f"{count:4d} {method:4s} {endpoint}")
    print(f"{sum(SENT.values())} requests over {len(SENT)} routes and methods")
