"""Case services: intake, the scoped case list, loading one case."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from coordination import keyset, policy
from coordination.accounts.models import User
from coordination.agencies.models import NOT_CASE_WORKING, Agency
from coordination.audit.models import AuditAction
from coordination.audit.services import record
from coordination.cases.folding import name_key
from coordination.cases.models import (
    Case,
    CaseStatus,
    ClosureReason,
    Incident,
    IncidentPlace,
    IncidentViolenceForm,
    Person,
    PersonRole,
    Relationship,
    Reporter,
    RiskLevel,
    Sex,
    TimelineKind,
    ViolenceForm,
)
from coordination.cases.references import new_reference, survivor_code
from coordination.cases.search import search_predicate
from coordination.cases.serving import serving_agencies
from coordination.cases.timeline import add_event
from coordination.extensions import db
from coordination.models_base import utcnow
from coordination.public_ids import decode, encode
from coordination.refusals import Forbidden, NotFound, RuleBroken
from coordination.territories.models import Territory, TerritoryLevel
from coordination.workflow import check_version


@dataclass
class PersonData:
    role: PersonRole
    last_name: str
    first_name: str
    sex: Sex
    birth_year: int | None
    patronymic: str | None = None
    disability: bool = False
    relationship_to_survivor: Relationship | None = None
    phone: str | None = None
    address: str | None = None
    #: The survivor's phone for content-free messages (docs/deliveries.md).
    safe_phone: str | None = None


@dataclass
class IncidentData:
    occurred_on: date
    forms: list[ViolenceForm]
    place: IncidentPlace
    reported_by: Reporter
    bride_kidnapping: bool = False
    forced_marriage: bool = False
    early_marriage: bool = False
    crime_register_number: str | None = None
    info_log_number: str | None = None


@dataclass
class CaseIntake:
    district_id: int
    lead_agency_id: int
    survivor: PersonData
    incident: IncidentData
    perpetrator: PersonData | None = None
    children: list[PersonData] = field(default_factory=list)
    municipality_id: int | None = None


# --- choices the intake form may offer, scoped by the policy ----------------


def intake_districts(user: User) -> list[Territory]:
    """Districts in which ``user`` may register a case."""
    return list(db.session.scalars(policy.registration_districts(user).order_by(Territory.code)))


def lead_agency_candidates(user: User) -> list[Agency]:
    """Agencies that may lead a case registered by ``user``.

    The user's own agency, and the active case-working agencies serving one of
    the districts the user may register in (or a municipality within them).
    """
    districts = policy.registration_districts(user).with_only_columns(Territory.id)
    municipalities = sa.select(Territory.id).where(Territory.parent_id.in_(districts))
    query = (
        sa.select(Agency)
        .where(
            Agency.active.is_(True),
            Agency.type.not_in(sorted(NOT_CASE_WORKING)),
            sa.or_(
                Agency.id == user.agency_id,
                Agency.territory_id.in_(districts),
                Agency.territory_id.in_(municipalities),
            ),
        )
        .order_by(Agency.name)
    )
    return list(db.session.scalars(query))


def municipality_choices(user: User) -> list[Territory]:
    """Active municipalities within the districts ``user`` may register in."""
    districts = policy.registration_districts(user).with_only_columns(Territory.id)
    query = sa.select(Territory).where(
        Territory.level == TerritoryLevel.MUNICIPALITY,
        Territory.active.is_(True),
        Territory.parent_id.in_(districts),
    )
    return list(db.session.scalars(query.order_by(Territory.name_en)))


# --- intake -------------------------------------------------------------------


def _check_intake(user: User, intake: CaseIntake, today: date) -> None:
    """Rules the form cannot know; raises :class:`RuleBroken`."""
    district_ids = {d.id for d in intake_districts(user)}
    if intake.district_id not in district_ids:
        raise RuleBroken(_l("Choose a district from the list."), "district")
    if intake.municipality_id is not None:
        municipality = db.session.get(Territory, intake.municipality_id)
        if municipality is None or municipality.parent_id != intake.district_id:
            raise RuleBroken(_l("This municipality is not in the chosen district."), "municipality")
    if intake.lead_agency_id not in {a.id for a in lead_agency_candidates(user)}:
        raise RuleBroken(_l("Choose a lead agency from the list."), "lead_agency")
    if intake.incident.occurred_on > today:
        raise RuleBroken(_l("The incident date cannot be in the future."), "occurred_on")
    if not intake.incident.forms:
        raise RuleBroken(_l("Choose at least one form of violence."), "forms")
    people = [intake.survivor, *intake.children]
    if intake.perpetrator is not None:
        people.append(intake.perpetrator)
    for person in people:
        if person.birth_year is not None and person.birth_year > today.year:
            raise RuleBroken(_l("A birth year cannot be in the future."), "birth_year")


def _unique_reference(year: int, rng: random.Random | None) -> str:
    while True:
        reference = new_reference(year, rng)
        taken = db.session.scalar(sa.select(Case.id).where(Case.reference == reference))
        if taken is None:
            return reference


def _optional(text: str | None) -> str | None:
    """Stored text, or None for nothing but spaces."""
    return (text or "").strip() or None


def _person(data: PersonData) -> Person:
    patronymic = _optional(data.patronymic)
    return Person(
        role=data.role,
        last_name=data.last_name.strip(),
        first_name=data.first_name.strip(),
        patronymic=patronymic,
        name_key=name_key(data.last_name, data.first_name, patronymic) or None,
        sex=data.sex,
        birth_year=data.birth_year,
        disability=data.disability,
        relationship_to_survivor=data.relationship_to_survivor,
        phone=_optional(data.phone),
        address=_optional(data.address),
        safe_phone=_optional(data.safe_phone),
    )


def register_case(
    user: User,
    intake: CaseIntake,
    now: datetime | None = None,
    reference_rng: random.Random | None = None,
) -> Case:
    """Register a case with its people and first incident.

    Raises :class:`RuleBroken` when the intake breaks a rule; nothing is
    added to the session then. Writes the audit entry and the timeline.
    ``now`` (UTC) and ``reference_rng`` are for the seeded, back-dated demo
    data and for tests with a frozen clock.
    """
    if not policy.may_use(user, policy.Section.CASES):
        raise Forbidden("this user does not work on cases")
    now = now or utcnow()
    today = now.date()
    _check_intake(user, intake, today)

    survivor = intake.survivor
    case = Case(
        reference=_unique_reference(today.year, reference_rng),
        district_id=intake.district_id,
        municipality_id=intake.municipality_id,
        opening_agency_id=user.agency_id,
        lead_agency_id=intake.lead_agency_id,
        status=CaseStatus.OPEN,
        survivor_code=survivor_code(survivor.first_name, survivor.last_name, survivor.birth_year),
        created_by_id=user.id,
        created_at=now,
    )
    case.people.append(_person(survivor))
    if intake.perpetrator is not None:
        case.people.append(_person(intake.perpetrator))
    case.people.extend(_person(child) for child in intake.children)
    incident = _incident(intake.incident, user, now)
    case.incidents.append(incident)
    add_event(case, TimelineKind.CASE_REGISTERED, user, at=now)
    add_event(case, TimelineKind.INCIDENT_RECORDED, user, at=now)
    db.session.add(case)
    db.session.flush()
    record(AuditAction.CASE_CREATED, user, "case", case.id)
    return case


def _incident(data: IncidentData, user: User, now: datetime) -> Incident:
    incident = Incident(
        occurred_on=data.occurred_on,
        place=data.place,
        reported_by=data.reported_by,
        bride_kidnapping=data.bride_kidnapping,
        forced_marriage=data.forced_marriage,
        early_marriage=data.early_marriage,
        crime_register_number=_optional(data.crime_register_number),
        info_log_number=_optional(data.info_log_number),
        recorded_by_id=user.id,
        recorded_at=now,
    )
    incident.form_rows = [IncidentViolenceForm(form=form) for form in dict.fromkeys(data.forms)]
    return incident


# --- reading ------------------------------------------------------------------


@dataclass
class CaseFilters:
    status: CaseStatus | None = None
    district_id: int | None = None
    risk: RiskLevel | None = None
    #: Any part of a reference or a register number, the start of a survivor
    #: code, or a name (coordination/cases/search.py).
    query: str | None = None


def _conditions(user: User, filters: CaseFilters) -> list:
    """The filters as conditions on the list's columns (the access row's copies)."""
    columns = policy.case_list_columns(user)
    conditions = []
    if filters.status is not None:
        conditions.append(columns.status == filters.status)
    if filters.district_id is not None:
        conditions.append(columns.district_id == filters.district_id)
    if filters.risk is not None:
        # A former party does not read the current risk level: it selects nothing.
        conditions += [columns.risk_level == filters.risk,
                       sa.not_(policy.reads_as_former_party(user, columns.case_id))]
    return conditions


def _filtered(user: User, filters: CaseFilters) -> sa.Select:
    query = policy.visible_cases(user).where(*_conditions(user, filters))
    found = search_predicate(filters.query or "", user)
    if found is not None:
        query = query.where(found)
    return query


#: Counts on the case list stop where the inboxes' do (``keyset.COUNT_CAP``):
#: the page says "200+" rather than counting every visible case on each
#: request (docs/PERFORMANCE.md).
COUNT_CAP = keyset.COUNT_CAP
#: The ``kind`` of the list's cursors (``coordination.public_ids``): a cursor
#: is a case's token that opens no case page.
CURSOR_KIND = "case-list-cursor"


@dataclass
class CasePage:
    """One page of the case list, walked by keyset: no offset, no page number."""

    items: list[Case]
    #: How many cases match, counted up to :data:`COUNT_CAP`.
    total: int
    #: True when more than ``total`` match (the count stopped at the cap).
    more: bool
    #: Opaque cursors (``after``/``before`` in the URL) of the next and the
    #: previous page; None when there is none.
    next_cursor: str | None = None
    previous_cursor: str | None = None
    #: The ids of the page's cases the user reads as a former party: their
    #: rows show no current risk level (``policy.cases_read_as_former_party``).
    read_as_former_party: frozenset[int] = frozenset()


def _cursor_key(token: str | None) -> tuple[datetime, int] | None:
    """The list key (registration, case id) of a cursor; None for anything else."""
    case_id = decode(CURSOR_KIND, token) if token else None
    if case_id is None:
        return None
    created_at = db.session.scalar(sa.select(Case.created_at).where(Case.id == case_id))
    return None if created_at is None else (created_at, case_id)


def list_cases(user: User, filters: CaseFilters, after: str | None = None,
               before: str | None = None) -> CasePage:
    """One page of the cases ``user`` may see, newest first.

    Keyset pagination: the page starts after (or ends before) the case of a
    cursor, so the database walks the agency's case-access rows newest first
    from that key, in the index of the filter if there is one; a deep page
    costs what the first does. A cursor that does not decode (or whose case
    is gone) gives the first page. The count stops at :data:`COUNT_CAP`.
    """
    per_page = current_app.config["CASES_PER_PAGE"]
    columns = policy.case_list_columns(user)
    key = sa.tuple_(columns.created_at, columns.case_id)
    query = _filtered(user, filters).options(joinedload(Case.district),
                                             joinedload(Case.lead_agency))
    backwards = _cursor_key(before) if after is None else None
    forwards = _cursor_key(after)
    if backwards is not None:
        rows = list(db.session.scalars(
            query.where(key > backwards)
            .order_by(columns.created_at.asc(), columns.case_id.asc()).limit(per_page + 1)))
        newer, items = len(rows) > per_page, rows[:per_page][::-1]
        older = True
    else:
        if forwards is not None:
            query = query.where(key < forwards)
        rows = list(db.session.scalars(
            query.order_by(*policy.newest_first(user)).limit(per_page + 1)))
        older, items = len(rows) > per_page, rows[:per_page]
        newer = forwards is not None and bool(items)
    if forwards is None and backwards is None and not older:
        # The whole list is on this first page: its rows are the count (a
        # search would otherwise look its text up in the index a second time).
        total, more = len(items), False
    else:
        total, more = capped_count(user, filters)
    return CasePage(
        items, total, more,
        next_cursor=encode(CURSOR_KIND, items[-1].id) if older and items else None,
        previous_cursor=encode(CURSOR_KIND, items[0].id) if newer and items else None,
        read_as_former_party=policy.cases_read_as_former_party(
            user, (case.id for case in items)))


def count_cases(user: User, filters: CaseFilters) -> int:
    """How many cases ``user`` may see that match ``filters``, counted up to
    :data:`COUNT_CAP`."""
    return capped_count(user, filters)[0]


def capped_count(user: User, filters: CaseFilters, cap: int | None = None) -> tuple[int, bool]:
    """How many cases ``user`` may see that match ``filters``, counting at
    most ``cap`` (the number, and whether more match).

    Without a search the count reads the agency's access rows alone (the
    filter's index); a search reads the cases it finds. Either way at most
    ``cap + 1`` rows, whatever the size of the visible set.
    """
    cap = COUNT_CAP if cap is None else cap
    if (filters.query or "").strip():
        ids = _filtered(user, filters).with_only_columns(Case.id)
    else:
        ids = policy.visible_case_keys(user).where(*_conditions(user, filters))
    found = db.session.scalar(
        sa.select(sa.func.count()).select_from(ids.limit(cap + 1).subquery()))
    return min(found, cap), found > cap


def get_case_or_404(user: User, case_id: int, audit: bool = True, options=()) -> Case:
    """The case, loaded through the policy: :class:`NotFound` if absent *or*
    not visible. ``options`` are loader options (the case page's sections).

    With ``audit``, a view by a user whose agency does not lead the case is
    written to the audit log (actions on the case audit themselves).
    """
    case = db.session.scalar(policy.visible_case(user, case_id).options(*options))
    if case is None:
        raise NotFound()
    if audit and not policy.leads(user, case):
        record(AuditAction.CASE_VIEWED, user, "case", case.id)
    return case


def read_case_or_404(user: User, case_id: int, options=()) -> Case:
    """The case as ``user`` reads it (:func:`get_case_or_404`, audited): in
    full, or for a former party loaded again with only its own agency's items
    (``policy.items_read``), so that every section drawn from the case's
    collections shows no more. ``options`` are the sections' loader options.
    """
    case = get_case_or_404(user, case_id, options=options)
    extra = policy.items_read(user, policy.case_reading(user, case))
    if extra:
        case = db.session.scalar(
            policy.visible_case(user, case_id).options(*options, *extra)
            .execution_options(populate_existing=True))
    return case


# --- managing the case ----------------------------------------------------------


def describe(case: Case) -> str:
    """The case's state in words, for messages."""
    return _("the case is now “%(status)s”, led by %(agency)s",
             status=case.status.label, agency=case.lead_agency.name)


def change_status(
    user: User,
    case: Case,
    status: CaseStatus,
    expected_version: int | None,
    closure_reason: ClosureReason | None = None,
    now: datetime | None = None,
) -> Case:
    """Move the case between open, active and monitoring; close or reopen it.

    Closing and reopening are for the lead agency's head; the other moves for
    the lead agency and the committee. A closure needs a reason.
    """
    closing_or_reopening = CaseStatus.CLOSED in (status, case.status)
    action = policy.Action.CLOSE_CASE if closing_or_reopening else policy.Action.EDIT_CASE
    if not policy.can(user, action, case):
        raise Forbidden("this user may not change this case's status")
    check_version(case, expected_version, describe(case))
    if status == case.status:
        raise RuleBroken(_("The case already has this status."))
    if status == CaseStatus.OPEN:
        raise RuleBroken(_("A case cannot go back to “open”; reopened cases are active."))
    if status == CaseStatus.CLOSED and closure_reason is None:
        raise RuleBroken(_("Choose the reason for closing the case."))
    kind = {CaseStatus.CLOSED: TimelineKind.CASE_CLOSED}.get(status, TimelineKind.STATUS_CHANGED)
    if case.status == CaseStatus.CLOSED:
        kind = TimelineKind.CASE_REOPENED
    case.status = status
    case.closure_reason = closure_reason if status == CaseStatus.CLOSED else None
    add_event(case, kind, user, at=now or utcnow())
    record(AuditAction.CASE_STATUS_CHANGED, user, "case", case.id)
    db.session.flush()
    return case


def lead_candidates(case: Case) -> list[Agency]:
    """Agencies that may lead ``case``: those serving its place."""
    return serving_agencies(case)


def reassign_lead(
    user: User, case: Case, agency_id: int, expected_version: int | None,
    now: datetime | None = None,
) -> Case:
    """Hand the case's lead to another agency serving its place."""
    if not policy.can(user, policy.Action.REASSIGN_LEAD, case):
        raise Forbidden("this user may not reassign this case")
    check_version(case, expected_version, describe(case))
    agency = next((a for a in lead_candidates(case) if a.id == agency_id), None)
    if agency is None:
        raise RuleBroken(_("Choose an agency from the list."))
    if agency.id == case.lead_agency_id:
        raise RuleBroken(_("This agency already leads the case."))
    case.lead_agency_id = agency.id
    add_event(case, TimelineKind.LEAD_AGENCY_CHANGED, user, at=now or utcnow(),
              related_agency_id=agency.id)
    record(AuditAction.CASE_LEAD_CHANGED, user, "case", case.id)
    db.session.flush()
    db.session.refresh(case, ["lead_agency"])
    return case


#: Another incident within this many days of an earlier one makes a repeat.
REPEAT_WINDOW_DAYS = 365


def record_incident(user: User, case: Case, data: IncidentData, now: datetime | None = None
                    ) -> Incident:
    """Record another incident on the case (same survivor, same alleged perpetrator).

    One within 12 months of an earlier incident marks the case as a repeat.
    """
    if not policy.can(user, policy.Action.RECORD_INCIDENT, case):
        raise Forbidden("this user may not record incidents on this case")
    now = now or utcnow()
    if data.occurred_on > now.date():
        raise RuleBroken(_("The date cannot be in the future."))
    if not data.forms:
        raise RuleBroken(_("Choose at least one form of violence."))
    incident = _incident(data, user, now)
    earlier = [i.occurred_on for i in case.incidents]
    case.incidents.append(incident)
    if any(abs((data.occurred_on - day).days) <= REPEAT_WINDOW_DAYS for day in earlier):
        case.is_repeat = True
    db.session.flush()
    add_event(case, TimelineKind.INCIDENT_RECORDED, user, at=now)
    record(AuditAction.INCIDENT_RECORDED, user, "incident", incident.id)
    return incident
