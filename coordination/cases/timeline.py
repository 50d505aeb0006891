"""Adding events to a case's timeline, and reading their detail.

An event's ``detail`` holds what changed as lines ``field: old → new`` (a
restricted field's line is its name alone: its values never go there). The
values are stored as codes (enum values, ISO dates, ``yes``/``no``, lists
joined by commas) and put into words when the timeline is drawn, so each
reader reads them in their own language, whoever wrote them.
"""
from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from coordination.accounts.models import User
from coordination.agencies.models import AgencyType
from coordination.cases.models import (
    Case,
    IncidentPlace,
    PersonRole,
    Relationship,
    Reporter,
    Sex,
    TimelineEvent,
    TimelineKind,
    ViolenceForm,
)
from coordination.consent.models import ConsentScope
from coordination.models_base import utcnow

#: The words of each field a detail line names.
FIELD_LABELS = {
    "last_name": _l("Last name"), "first_name": _l("First name"),
    "patronymic": _l("Patronymic"), "sex": _l("Sex"), "birth_year": _l("Birth year"),
    "disability": _l("Has a disability"), "relationship_to_survivor": _l("Relationship"),
    "phone": _l("Phone"), "address": _l("Current address or shelter"), "role": _l("Role"),
    "occurred_on": _l("Date of the incident"), "place": _l("Place"),
    "reported_by": _l("Reported by"), "forms": _l("Forms of violence"),
    "bride_kidnapping": _l("Bride kidnapping (ala kachuu)"),
    "forced_marriage": _l("Forced marriage"), "early_marriage": _l("Early marriage"),
    "crime_register_number": _l("Register of crimes and misdemeanours number"),
    "info_log_number": _l("Information log number"),
    "covers": _l("Covers"), "reason": _l("Reason"), "action": _l("Action"),
    "outcome": _l("Outcome"),
}
#: Fields whose stored codes are members of an enumeration (lists for "forms").
_ENUMS: dict[str, type[enum.Enum]] = {
    "sex": Sex, "relationship_to_survivor": Relationship, "role": PersonRole,
    "place": IncidentPlace, "reported_by": Reporter, "forms": ViolenceForm,
}
_DATES = frozenset({"occurred_on"})
#: Free text (a reason given): shown as written, never split at an arrow.
_TEXT = frozenset({"reason", "action", "outcome"})
#: What an empty value is stored and shown as.
NOTHING = "—"


def add_event(
    case: Case,
    kind: TimelineKind,
    user: User | None,
    at: datetime | None = None,
    related_agency_id: int | None = None,
    detail: str | None = None,
) -> TimelineEvent:
    """Append ``kind`` to ``case``'s timeline, attributed to ``user`` and agency."""
    event = TimelineEvent(
        kind=kind,
        at=at or utcnow(),
        related_agency_id=related_agency_id,
        user_id=user.id if user else None,
        agency_id=user.agency_id if user else None,
        detail=detail,
    )
    case.timeline.append(event)
    return event


def code(value) -> str:
    """How a value is stored in a detail line."""
    if value is None or value == "" or value == []:
        return NOTHING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ",".join(code(item) for item in value)
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def text(name: str, value: str) -> str:
    """The detail line of free text (a reason), on one line."""
    return f"{name}: {' '.join(value.split())}"


def change(name: str, old, new) -> str:
    """The detail line of ``name`` changed from ``old`` to ``new``."""
    return f"{name}: {code(old)} → {code(new)}"


def _words(name: str, stored: str) -> str:
    """A stored value in the reader's words; text stored before codes were
    (or that is no code) is shown as it is."""
    if stored == NOTHING:
        return stored
    if stored in ("yes", "no"):
        return _("yes") if stored == "yes" else _("no")
    if name == "covers":  # agency types and the consent's other scopes
        return ", ".join(_covered(part) for part in stored.split(","))
    kind = _ENUMS.get(name)
    if kind is not None:
        try:
            return ", ".join(str(kind(part).label) for part in stored.split(","))
        except ValueError:
            return stored
    if name in _DATES:
        try:
            return format_date(date.fromisoformat(stored))
        except ValueError:
            return stored
    return stored


def _covered(part: str) -> str:
    for kind in (AgencyType, ConsentScope):
        try:
            return str(kind(part).label)
        except ValueError:
            continue
    return part


def detail_lines(event: TimelineEvent) -> list[str]:
    """The event's detail as the reader reads it: ``Field: old → new``."""
    lines = []
    for line in (event.detail or "").split("\n"):
        if not line:
            continue
        name, sep, rest = line.partition(": ")
        label = str(FIELD_LABELS.get(name, name))
        if not sep:  # a restricted field: its name alone
            lines.append(f"{label}: {_('changed')}")
            continue
        old, arrow, new = rest.partition(" → ")
        if arrow and name not in _TEXT:
            lines.append(f"{label}: {_words(name, old)} → {_words(name, new)}")
        else:
            lines.append(f"{label}: {_words(name, rest)}")
    return lines
