"""Which package may import which, read from the source with ``ast``.

Forms describe fields: they may import the models (the enums whose members
carry their labels, constants such as ``PROHIBITIONS``), never services,
queries or the policy, which would let a form decide what a user may choose.
Views pass choices already scoped by the policy. The renderers in
``exports/`` take plain strings and numbers and import nothing from
``coordination`` (the runtime check is in tests/exports/test_report_renderers.py;
this one also covers modules that test does not load).
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: What a form may import from ``coordination`` besides ``coordination.<domain>.models``,
#: and why. A module maps to the names allowed from it (None: any name).
FORMS_ALLOWED = {
    # The column helpers and LabelledEnum the models are built from.
    "coordination.models_base": None,
    # The interface languages, each named in itself: a constant, not a service.
    "coordination.i18n": {"LANGUAGE_NAMES"},
    # The country's date format, read and written: pure functions and
    # patterns (no database, no service), shared by the fields and the reports.
    "coordination": {"local_dates"},
}


def imports_from_coordination(source: str) -> list[tuple[str, set[str] | None]]:
    """Every ``coordination`` module the source imports, anywhere in it, with
    the names taken from it (None for ``import coordination.x``)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(alias.name, None) for alias in node.names
                      if alias.name.split(".")[0] == "coordination"]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] == "coordination":
                found.append((node.module, {alias.name for alias in node.names}))
    return found


def forbidden_in_a_form(source: str) -> list[str]:
    """The imports a form may not make."""
    problems = []
    for module, names in imports_from_coordination(source):
        parts = module.split(".")
        if len(parts) == 3 and parts[2] == "models":
            continue
        if module in FORMS_ALLOWED:
            allowed = FORMS_ALLOWED[module]
            if allowed is None or (names is not None and names <= allowed):
                continue
        problems.append(f"{module} ({', '.join(sorted(names or ()))})")
    return problems


def _python_files(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def test_the_checks_catch_what_they_should():
    """The checks themselves can fail: a service, the labels module, a
    package-level import and a name outside the allowed list are refused."""
    assert forbidden_in_a_form("from coordination.consent.services import SHAREABLE_TYPES")
    assert forbidden_in_a_form("from coordination import labels")
    assert forbidden_in_a_form("import coordination.policy")
    assert forbidden_in_a_form("def f():\n    from coordination.queries import page\n")
    assert forbidden_in_a_form("from coordination.i18n import select_locale")
    assert forbidden_in_a_form("from coordination.cases.models.extra import X")
    assert not forbidden_in_a_form("from coordination.cases.models import Sex\n"
                                   "from coordination.i18n import LANGUAGE_NAMES\n"
                                   "from coordination.models_base import LabelledEnum\n"
                                   "from forms.fields import choices\n")
    assert imports_from_coordination("import coordination")


@pytest.mark.parametrize("path", _python_files("forms"), ids=lambda p: p.name)
def test_forms_import_only_models_from_coordination(path):
    assert forbidden_in_a_form(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("path", _python_files("exports"), ids=lambda p: p.name)
def test_exports_import_nothing_from_coordination(path):
    assert imports_from_coordination(path.read_text(encoding="utf-8")) == []
