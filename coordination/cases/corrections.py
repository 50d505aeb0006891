"""Corrections with history (issue 15): add a person to a case at any time,
correct a person's details, correct an incident.

Each change is saved against the version the page showed (``Stale``
otherwise), writes a timeline line with the old and new values (personal data,
seen only with the case; the restricted fields' values are left out of the
line, which everyone who sees the case reads) and an audit event naming the
fields, never their values (docs/decisions.md).
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy.orm.attributes import flag_modified

from coordination import policy
from coordination.accounts.models import User
from coordination.audit.models import AuditAction
from coordination.audit.services import record
from coordination.cases.folding import name_key
from coordination.cases.models import (
    Case,
    Incident,
    IncidentViolenceForm,
    Person,
    PersonRole,
    Relationship,
    Sex,
    TimelineKind,
    ViolenceForm,
)
from coordination.cases.references import survivor_code
from coordination.cases.services import (
    REPEAT_WINDOW_DAYS,
    IncidentData,
    PersonData,
    _optional,
    _person,
)
from coordination.cases.timeline import add_event, change, code
from coordination.extensions import db
from coordination.models_base import utcnow
from coordination.refusals import Forbidden, NotFound, RuleBroken
from coordination.workflow import check_version

#: Fields a correction may change, in the order the timeline lists them.
FIELDS = ("last_name", "first_name", "patronymic", "sex", "birth_year", "disability",
          "relationship_to_survivor", "phone", "address")
#: Restricted fields: their values never go into the timeline line.
RESTRICTED = frozenset({"phone", "address"})


@dataclass
class PersonCorrection:
    last_name: str
    first_name: str
    sex: Sex
    birth_year: int | None
    patronymic: str | None = None
    disability: bool = False
    relationship_to_survivor: Relationship | None = None
    phone: str | None = None
    address: str | None = None


def _check(user: User, case: Case) -> None:
    if not policy.can(user, policy.Action.CORRECT_PEOPLE, case):
        raise Forbidden("this user may not change the people of this case")


def _clean(data: PersonCorrection) -> dict:
    values = {name: getattr(data, name) for name in FIELDS}
    for name in ("last_name", "first_name"):
        values[name] = (values[name] or "").strip()
        if not values[name]:
            raise RuleBroken(_("Enter the name."), field=name)
    for name in ("patronymic", "phone", "address"):
        values[name] = _optional(values[name])
    return values


def main_survivor(case: Case) -> Person | None:
    """The survivor the case was registered for: the first recorded (children
    who witnessed the violence are survivors too, recorded after her)."""
    return next((p for p in case.people if p.role == PersonRole.SURVIVOR), None)


def person_of(case: Case, person_id: int) -> Person:
    """The person ``person_id`` of ``case`` (loaded through the policy), or 404."""
    person = next((p for p in case.people if p.id == person_id), None)
    if person is None:
        raise NotFound()
    return person


def correct_person(user: User, case: Case, person: Person, data: PersonCorrection,
                   expected_version: int | None, now: datetime | None = None) -> list[str]:
    """Correct ``person``'s details; returns the names of the fields changed."""
    _check(user, case)
    check_version(person, expected_version, _("the person's details were corrected"))
    values = _clean(data)
    if person.role != PersonRole.ALLEGED_PERPETRATOR:
        values["relationship_to_survivor"] = person.relationship_to_survivor
    if values["birth_year"] is None and person is main_survivor(case):
        # Her code (initials and birth year) is what lists show of the case.
        raise RuleBroken(_("Enter the birth year (an estimate if unknown)."), field="birth_year")
    changed = [name for name in FIELDS if getattr(person, name) != values[name]]
    if not changed:
        raise RuleBroken(_("Nothing was changed."))
    lines = []
    for name in changed:
        old, new = getattr(person, name), values[name]
        lines.append(name if name in RESTRICTED else change(name, old, new))
        setattr(person, name, new)
    # What the duplicate guard and the search compare, and the code lists
    # show, follow the corrected name (they were computed from the old one).
    person.name_key = name_key(person.last_name, person.first_name, person.patronymic) or None
    if person is main_survivor(case):
        case.survivor_code = survivor_code(person.first_name, person.last_name,
                                           person.birth_year)
    now = now or utcnow()
    add_event(case, TimelineKind.PERSON_CORRECTED, user, at=now).detail = "\n".join(lines)
    record(AuditAction.PERSON_CORRECTED, user, "person", person.id, fields=changed)
    db.session.flush()
    return changed


def add_person(user: User, case: Case, data: PersonData, now: datetime | None = None
               ) -> Person:
    """Add someone to the case (a second child, another witness) at any time."""
    _check(user, case)
    if not (data.last_name or "").strip() or not (data.first_name or "").strip():
        raise RuleBroken(_("Enter the name."))
    if data.role == PersonRole.SURVIVOR:
        raise RuleBroken(_("A case has one survivor; add others as children or witnesses."),
                         field="role")
    person = _person(data)
    case.people.append(person)
    db.session.flush()
    now = now or utcnow()
    add_event(case, TimelineKind.PERSON_ADDED, user, at=now,
              detail=f"role: {code(person.role)}")
    record(AuditAction.PERSON_ADDED, user, "person", person.id)
    return person


#: Fields an incident's correction may change, in the order the timeline lists them.
INCIDENT_FIELDS = ("occurred_on", "place", "reported_by", "forms", "bride_kidnapping",
                   "forced_marriage", "early_marriage", "crime_register_number",
                   "info_log_number")


def correct_incident(user: User, incident: Incident, data: IncidentData,
                     expected_version: int | None, now: datetime | None = None) -> list[str]:
    """Correct what was recorded of ``incident``; returns the names of the fields changed.

    Saved against the version the page showed (:class:`Stale`); the old and
    new values go into the timeline, the names of the fields into the audit.
    The case's repeat mark follows the corrected dates, and the statistical
    records follow at the commit (``coordination/derived.py``). Raises
    :class:`Forbidden`, :class:`Stale` or :class:`RuleBroken`.
    """
    case = incident.case
    if not policy.can(user, policy.Action.CORRECT_INCIDENT, incident):
        raise Forbidden("this user may not correct this incident")
    check_version(incident, expected_version, _("the incident was corrected"))
    now = now or utcnow()
    if data.occurred_on > now.date():
        raise RuleBroken(_("The date cannot be in the future."), field="occurred_on")
    if not data.forms:
        raise RuleBroken(_("Choose at least one form of violence."), field="forms")
    values = {
        "occurred_on": data.occurred_on, "place": data.place, "reported_by": data.reported_by,
        "forms": [form for form in ViolenceForm if form in set(data.forms)],
        "bride_kidnapping": bool(data.bride_kidnapping),
        "forced_marriage": bool(data.forced_marriage),
        "early_marriage": bool(data.early_marriage),
        "crime_register_number": _optional(data.crime_register_number),
        "info_log_number": _optional(data.info_log_number),
    }
    changed = [name for name in INCIDENT_FIELDS if getattr(incident, name) != values[name]]
    if not changed:
        raise RuleBroken(_("Nothing was changed."))
    lines = [change(name, getattr(incident, name), values[name]) for name in changed]
    for name in changed:
        if name == "forms":
            kept = set(values["forms"])
            incident.form_rows = [row for row in incident.form_rows if row.form in kept] + [
                IncidentViolenceForm(form=form) for form in values["forms"]
                if form not in set(incident.forms)]
        else:
            setattr(incident, name, values[name])
    if "forms" in changed and len(changed) == 1:
        # Only the forms' rows changed: the incident's own row must still
        # take a new version, or a page drawn before would save over this.
        flag_modified(incident, "recorded_at")
    if "occurred_on" in changed:
        case.is_repeat = _repeat(case)
    add_event(case, TimelineKind.INCIDENT_CORRECTED, user, at=now).detail = "\n".join(lines)
    record(AuditAction.INCIDENT_CORRECTED, user, "incident", incident.id, fields=changed)
    db.session.flush()
    return changed


def _repeat(case: Case) -> bool:
    """Whether two of the case's incidents lie within the repeat window (the
    rule :func:`services.record_incident` applies as each is recorded)."""
    days = sorted(incident.occurred_on for incident in case.incidents)
    return any((later - earlier).days <= REPEAT_WINDOW_DAYS
               for earlier, later in itertools.pairwise(days))
