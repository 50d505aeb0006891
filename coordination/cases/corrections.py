"""Corrections with history (issue 15): add a person to a case at any time,
correct a person's details.

Each change is saved against the version the page showed (``Stale``
otherwise), writes a timeline line with the old and new values (personal data,
seen only with the case; the restricted fields' values are left out of the
line, which everyone who sees the case reads) and an audit event naming the
fields, never their values (docs/decisions.md).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _

from coordination import policy
from coordination.accounts.models import User
from coordination.audit.models import AuditAction
from coordination.audit.services import record
from coordination.cases.models import Case, Person, PersonRole, Relationship, Sex, TimelineKind
from coordination.cases.services import PersonData, _optional, _person
from coordination.cases.timeline import add_event
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


def _shown(value) -> str:
    """A value as the timeline line shows it (labels for enums)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(getattr(value, "label", value))


def _clean(data: PersonCorrection) -> dict:
    values = {name: getattr(data, name) for name in FIELDS}
    for name in ("last_name", "first_name"):
        values[name] = (values[name] or "").strip()
        if not values[name]:
            raise RuleBroken(_("Enter the name."), field=name)
    for name in ("patronymic", "phone", "address"):
        values[name] = _optional(values[name])
    return values


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
    changed = [name for name in FIELDS if getattr(person, name) != values[name]]
    if not changed:
        raise RuleBroken(_("Nothing was changed."))
    lines = []
    for name in changed:
        old, new = getattr(person, name), values[name]
        if name in RESTRICTED:
            lines.append(f"{name}: {_('changed')}")
        else:
            lines.append(f"{name}: {_shown(old)} → {_shown(new)}")
        setattr(person, name, new)
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
    add_event(case, TimelineKind.PERSON_ADDED, user, at=now).detail = f"role: {_shown(person.role)}"
    record(AuditAction.PERSON_ADDED, user, "person", person.id)
    return person
