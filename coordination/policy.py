"""The access policy: the one place that decides who may see and do what.

Every view and every query asks this module. Lists, searches and counts use
:func:`visible_cases` so that they can never show more than a detail page,
which loads its case through the same predicate; :func:`can` answers for one
object (``VIEW_CASE`` runs that same predicate in SQL). The administration's
lists use :func:`manageable_users`, :func:`manageable_agencies` and
:func:`directory_agencies` the same way; committee meetings are their
committee's alone, and :func:`visible_meetings` is the one query for them.
Access to a whole section is :func:`may_use`. Unknown actions or sections
raise instead of defaulting to yes.

DESIGN.md section 4 states the rules; docs/access-policy.md explains them.
"""
from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import aliased, with_loader_criteria
from sqlalchemy.sql.elements import ColumnElement

import coordination.models  # noqa: F401  (every model, before the aliases below)
from coordination.accounts.models import Role, User
from coordination.agencies.models import NOT_CASE_WORKING, Agency, AgencyType
from coordination.api.models import ApiClient, Scope
from coordination.cases.models import Case, CaseStatus, Incident, Person, TimelineEvent
from coordination.consent.models import ConsentRecord, ConsentScope
from coordination.documents.models import CaseDocument, MeetingDocument
from coordination.extensions import db
from coordination.followups.models import FollowUp, FollowUpStatus
from coordination.meetings.models import AgendaItem, Meeting, MeetingStatus
from coordination.models_base import PersonalKind, utcnow
from coordination.notes.models import CaseNote, NoteVisibility
from coordination.programmes.models import CorrectionalProgramme, ProgrammeStatus
from coordination.protection.models import OrderStatus, OrderViolation, ProtectionOrder
from coordination.referrals.models import FINAL_STATUSES, Referral, ReferralStatus
from coordination.risk.models import RiskAssessment
from coordination.territories.models import Territory, TerritoryLevel
from coordination.territories.queries import (
    agencies_serving_territory,
    located_in,
    place_in,
    territories_within,
)
from coordination.transfers.models import CaseTransfer, TransferStatus
from coordination.triage.models import IncomingReport
from coordination.visibility.models import CaseAccess


class Section(enum.Enum):
    """Parts of the application a role may or may not use at all (403)."""

    CASES = "cases"
    #: User accounts: administrators for everyone, agency heads for their own agency.
    ADMINISTRATION = "administration"
    #: Agencies: create, edit, deactivate. Administrators only.
    AGENCIES = "agencies"
    #: Territory names and municipalities. Administrators only.
    REFERENCE_DATA = "reference_data"
    #: Deadlines, order durations, k, risk thresholds. Administrators only.
    SETTINGS = "settings"
    #: The read-only list of agencies and staff in a committee's territory.
    AGENCY_DIRECTORY = "agency_directory"
    #: Committee meetings: users of a committee agency only.
    MEETINGS = "meetings"
    #: Anonymized aggregate reports: the ministry (the whole country) and the
    #: agencies that work on cases (their own territory). Not administrators.
    REPORTS = "reports"
    #: The audit log, read only: administrators (account events) and agency
    #: heads outside the ministry (their own agency's actions).
    AUDIT = "audit"
    #: The triage queue of incoming hotline and police reports: the committee
    #: and the police of the district (coordination/triage).
    TRIAGE = "triage"
    #: Recording an incoming report on a page (a hotline operator, a duty
    #: officer, a health post): anyone who works on cases, in their districts.
    RECORD_REPORT = "record_report"
    #: The status of protection orders by their number (the API's
    #: ``/orders``): a court, for the orders of its territory.
    ORDER_STATUS = "order_status"


class Action(enum.Enum):
    """Things a user may do; the object is named after each member."""

    VIEW_CASE = "view_case"  #: case
    #: Read every section of a case, not only the items one's own agency did:
    #: everyone who sees it but a former party (:func:`case_reading`). Case.
    READ_WHOLE_CASE = "read_whole_case"
    #: See the restricted person fields (contacts, address or shelter). Case.
    VIEW_RESTRICTED = "view_restricted"
    EDIT_CASE = "edit_case"  #: case: status (not closing), consent, risk
    CLOSE_CASE = "close_case"  #: case: close and reopen
    REASSIGN_LEAD = "reassign_lead"  #: case
    REFER = "refer"  #: case
    ADD_FOLLOW_UP = "add_follow_up"  #: case
    ANSWER_REFERRAL = "answer_referral"  #: referral: accept, decline, start, complete
    CANCEL_REFERRAL = "cancel_referral"  #: referral
    REVOKE_REFERRAL = "revoke_referral"  #: referral
    COMPLETE_FOLLOW_UP = "complete_follow_up"  #: follow-up
    CANCEL_FOLLOW_UP = "cancel_follow_up"  #: follow-up
    RECORD_INCIDENT = "record_incident"  #: case
    ASSESS_RISK = "assess_risk"  #: case
    ISSUE_TEMPORARY_ORDER = "issue_temporary_order"  #: case: the police only
    RECORD_COURT_ORDER = "record_court_order"  #: case
    CHANGE_ORDER = "change_order"  #: protection order: extend, revoke
    RECORD_VIOLATION = "record_violation"  #: protection order
    UPDATE_PROGRAMME = "update_programme"  #: correctional programme: its course
    #: Edit, deactivate, reactivate, unlock a user or reset their password. User.
    MANAGE_USER = "manage_user"
    #: Create users in an agency (and import them). Agency.
    CREATE_USER_IN = "create_user_in"
    #: Move a user to another agency: administrators only. User.
    MOVE_USER = "move_user"
    #: Release a held account and print its one-time credential: the agency
    #: head, never an administrator (four eyes). User.
    CONFIRM_ACCOUNT = "confirm_account"
    SCHEDULE_MEETING = "schedule_meeting"  #: agency: a meeting of this committee
    VIEW_MEETING = "view_meeting"  #: meeting
    #: Reschedule or cancel a meeting. Meeting.
    MANAGE_MEETING = "manage_meeting"
    PREPARE_AGENDA = "prepare_agenda"  #: meeting: propose, add, remove items
    #: Record attendance and decisions, mark the meeting held. Meeting.
    RECORD_MEETING = "record_meeting"
    #: Change a case's status: move it (EDIT_CASE) or close/reopen (CLOSE_CASE). Case.
    CHANGE_CASE_STATUS = "change_case_status"
    #: Record a protection order of a kind the user may record. Case.
    RECORD_ORDER = "record_order"
    #: Take some step on a referral: answer, cancel or revoke. Referral.
    ACT_ON_REFERRAL = "act_on_referral"
    #: Mark a follow-up done or cancel it. Follow-up.
    CLOSE_FOLLOW_UP = "close_follow_up"
    CORRECT_PEOPLE = "correct_people"  #: case: add a person, correct one's details
    #: Correct an incident's date, place, reporter, forms and flags. Incident.
    CORRECT_INCIDENT = "correct_incident"
    UNDO_FOLLOW_UP_DONE = "undo_follow_up_done"  #: follow-up: a mistaken "done", briefly
    WITHDRAW_CONSENT = "withdraw_consent"  #: consent record
    #: Record a check of an order (visit, call ...) or correct one. Protection order.
    RECORD_ORDER_CHECK = "record_order_check"
    #: Attach a document to an open case. Case.
    ATTACH_DOCUMENT = "attach_document"
    #: Download a document: the agencies that see restricted fields and the
    #: agency that attached it. Case document.
    READ_DOCUMENT = "read_document"
    #: Attach a document to a meeting that is not cancelled: its committee's members. Meeting.
    ATTACH_MEETING_DOCUMENT = "attach_meeting_document"
    #: Download a meeting's document: the members of the committee holding the
    #: meeting, as they alone open the meeting. Meeting document.
    READ_MEETING_DOCUMENT = "read_meeting_document"
    #: Print the case summary: the lead agency. Case.
    PRINT_CASE_SUMMARY = "print_case_summary"
    #: Print the referral letter: the sending and the receiving agency. Referral.
    PRINT_REFERRAL_LETTER = "print_referral_letter"
    #: Print the protection-order record: the issuer, the lead, the committee. Order.
    PRINT_ORDER_RECORD = "print_order_record"
    ADD_NOTE = "add_note"  #: case: write a dated note on an open case
    #: Read a note: its agency's, or every involved agency's by its visibility. Note.
    READ_NOTE = "read_note"
    #: Correct a note: its author alone (within the window the service checks). Note.
    EDIT_NOTE = "edit_note"
    #: See the safety plan: the lead agency and agencies covered by consent. Case.
    VIEW_SAFETY_PLAN = "view_safety_plan"
    #: Write or review the safety plan: the lead agency, on an open case. Case.
    EDIT_SAFETY_PLAN = "edit_safety_plan"
    #: See who of other agencies opened the case: the lead and the committee. Case.
    SEE_CASE_VIEWS = "see_case_views"
    PROPOSE_TRANSFER = "propose_transfer"  #: case: to another district (the lead)
    #: transfer: accept or decline (the receiving district's committee)
    ANSWER_TRANSFER = "answer_transfer"
    CANCEL_TRANSFER = "cancel_transfer"  #: transfer: withdrawn by the lead that proposed it
    #: Open a case from an incoming report, attach it to a case, or close it.
    TRIAGE_REPORT = "triage_report"  #: incoming report
    #: Read an order's number, kind, status, dates and issuer (never a
    #: person): a court, for an order on a case of its territory. Order.
    READ_ORDER_STATUS = "read_order_status"


#: A receiving agency is involved in the case while its referral is in these.
RECEIVER_INVOLVED = frozenset(
    {ReferralStatus.SENT, ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS,
     ReferralStatus.COMPLETED}
)
#: A receiving agency may see restricted fields once it has taken the referral on.
RECEIVER_ACCEPTED = frozenset(
    {ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS, ReferralStatus.COMPLETED}
)


#: The person fields ``VIEW_RESTRICTED`` guards: the contacts and where
#: someone lives or shelters, i.e. the columns of :class:`Person` marked as
#: such personal data (``phone``, ``safe_phone``, ``address``). Pages,
#: printed records and the API show them only where that rule allows
#: (tests/api/test_api_field_restrictions.py holds the API to it).
RESTRICTED_PERSON_FIELDS = frozenset(
    column.key for column in Person.__table__.columns
    if "personal" in column.info
    and column.info["personal"].kind in (PersonalKind.CONTACT, PersonalKind.ADDRESS))


#: Who triages incoming reports: the district's committee and police.
TRIAGE_AGENCY_TYPES = frozenset({AgencyType.COMMITTEE, AgencyType.POLICE})


def works_on_cases(user: User) -> bool:
    """Ministry analysts, courts and administrators never work on cases; nor
    does an account an administrator created or reset until its agency head
    has confirmed it (``held_since``)."""
    return (user.role != Role.ADMIN and handles_cases(user.agency)
            and getattr(user, "held_since", None) is None)


def handles_cases(agency: Agency) -> bool:
    """An agency whose staff work on cases (every type but the ministry and
    the courts)."""
    return agency.type not in NOT_CASE_WORKING


def held_by_four_eyes(actor: User, agency: Agency, role: Role) -> bool:
    """Whether an account ``actor`` creates or resets in ``agency`` must wait
    for the agency head's confirmation: an administrator minting access to a
    case-handling agency never learns a usable credential (issue 14)."""
    return administers_everything(actor) and handles_cases(agency) and role != Role.ADMIN


def can_confirm_account(actor: User, target: User) -> bool:
    """An agency head confirms a held account of their own agency (never
    their own); where the agency has no other head, the head of the
    committee serving its place does. Administrators never confirm."""
    if not target.is_held or actor.id == target.id or not heads_an_agency(actor):
        return False
    if actor.agency_id == target.agency_id:
        return True
    if actor.agency.type != AgencyType.COMMITTEE:
        return False
    other_heads = db.session.scalar(sa.select(sa.func.count(User.id)).where(
        User.agency_id == target.agency_id, User.role == Role.LEAD, User.active.is_(True),
        User.held_since.is_(None), User.id != target.id))
    serves = db.session.scalar(sa.select(sa.exists().where(
        Territory.id == target.agency.territory_id,
        Territory.id.in_(territories_within(actor.agency.territory)))))
    return not other_heads and bool(serves)


def administers_everything(user: User) -> bool:
    """Administrators manage every agency and account (and never see a case)."""
    return user.is_authenticated and user.role == Role.ADMIN


def heads_an_agency(user: User) -> bool:
    """An agency head outside the ministry manages their own agency's members."""
    return (
        user.is_authenticated
        and user.role == Role.LEAD
        and user.agency.type != AgencyType.MINISTRY
    )


def may_use(user: User, section: Section) -> bool:
    """Whether ``user`` may use ``section`` at all."""
    if not user.is_authenticated:
        return False
    if section is Section.CASES:
        return works_on_cases(user)
    if section is Section.ADMINISTRATION:
        return administers_everything(user) or heads_an_agency(user)
    if section in (Section.AGENCIES, Section.REFERENCE_DATA, Section.SETTINGS):
        return administers_everything(user)
    if section is Section.AGENCY_DIRECTORY:
        return user.agency.type == AgencyType.COMMITTEE
    if section is Section.MEETINGS:
        return works_on_cases(user) and user.agency.type == AgencyType.COMMITTEE
    if section is Section.REPORTS:
        return user.role != Role.ADMIN
    if section is Section.AUDIT:
        return administers_everything(user) or heads_an_agency(user)
    if section is Section.TRIAGE:
        return works_on_cases(user) and user.agency.type in TRIAGE_AGENCY_TYPES
    if section is Section.RECORD_REPORT:
        return works_on_cases(user)
    if section is Section.ORDER_STATUS:
        return user.role != Role.ADMIN and user.agency.type == AgencyType.COURT
    raise ValueError(f"unknown section {section!r}")


def visible_audit_events(user: User) -> sa.Select:
    """``SELECT`` of the audit events ``user`` may read.

    Administrators: account events (sign-ins, account and agency changes),
    never what was done on cases. An agency head: what their agency's staff
    did, case views included. Anyone else: nothing.
    """
    from coordination.audit.models import ACCOUNT_ACTIONS, AuditEvent

    if not user.is_authenticated:
        return sa.select(AuditEvent).where(sa.false())
    if administers_everything(user):
        return sa.select(AuditEvent).where(AuditEvent.action.in_(ACCOUNT_ACTIONS))
    if heads_an_agency(user):
        # Everything their staff did, and everything anyone (an administrator)
        # did to an account of their agency.
        members = sa.select(User.id).where(User.agency_id == user.agency_id)
        return sa.select(AuditEvent).where(sa.or_(
            AuditEvent.agency_id == user.agency_id,
            sa.and_(AuditEvent.object_type == "user", AuditEvent.object_id.in_(members))))
    return sa.select(AuditEvent).where(sa.false())


# --- which cases: one predicate ----------------------------------------------


def cases_in_territory(territory: Territory, case=Case) -> ColumnElement[bool]:
    """SQL predicate on :class:`Case` (or an alias of it, ``case``): cases
    located in ``territory`` (any level). A committee sees these; its
    meetings' agenda is proposed from them."""
    return located_in(territory, case.district_id, case.municipality_id)


#: Aliases for the visibility subqueries, built once (aliasing is costly).
#: Building them configures the mappers: coordination.models is imported above.
#: The subqueries select from these aliases, never from the tables the outer
#: query names, so SQLAlchemy cannot correlate them away: the predicate also
#: works in queries that already join referrals, follow-ups or cases.
_CASE = aliased(Case)
_REFERRAL = aliased(Referral)
_FOLLOW_UP = aliased(FollowUp)
_PROGRAMME = aliased(CorrectionalProgramme)
_ORDER = aliased(ProtectionOrder)
_TRANSFER = aliased(CaseTransfer)
_ACCESS = aliased(CaseAccess)


def _former_case_ids(*conditions) -> sa.Select:
    """``SELECT`` of the ids of open cases moved away by an accepted transfer
    matching ``conditions`` on :data:`_TRANSFER`: the former territory reads
    what it did until the case is closed."""
    return (sa.select(_TRANSFER.case_id)
            .join(_CASE, _CASE.id == _TRANSFER.case_id)
            .where(_TRANSFER.status == TransferStatus.ACCEPTED,
                   _CASE.status != CaseStatus.CLOSED, *conditions))


def _involved_case_ids(agency_id: int) -> list[sa.Select]:
    """``SELECT``s of the ids of cases the agency opened, leads, referred,
    received (not declined), owns work on, runs the programme of, or issued
    an order on.

    Each one reads a single index whose leading column is the agency (and
    which holds the case id), so the database collects the agency's cases
    without looking at anyone else's.
    """
    return [
        sa.select(_CASE.id).where(_CASE.opening_agency_id == agency_id),
        sa.select(_CASE.id).where(_CASE.lead_agency_id == agency_id),
        sa.select(_REFERRAL.case_id).where(_REFERRAL.from_agency_id == agency_id),
        sa.select(_REFERRAL.case_id).where(_REFERRAL.to_agency_id == agency_id,
                                           _REFERRAL.status.in_(RECEIVER_INVOLVED)),
        sa.select(_FOLLOW_UP.case_id).where(_FOLLOW_UP.owner_agency_id == agency_id,
                                            _FOLLOW_UP.self_assigned.is_(False)),
        sa.select(_PROGRAMME.case_id).where(_PROGRAMME.provider_agency_id == agency_id),
        sa.select(_ORDER.case_id).where(_ORDER.issuing_agency_id == agency_id),
        _former_case_ids(_TRANSFER.from_lead_agency_id == agency_id),
    ]


def _visible_case_ids(user: User) -> sa.CompoundSelect | bool:
    """The ids of the cases ``user`` may see, as one ``UNION ALL`` (ids may
    repeat); ``True`` for every case, ``False`` for none."""
    if not user.is_authenticated or not works_on_cases(user):
        return False
    agency = user.agency
    parts = _involved_case_ids(agency.id)
    if agency.type == AgencyType.COMMITTEE:
        if agency.territory.level == TerritoryLevel.COUNTRY:
            return True
        parts.append(sa.select(_CASE.id).where(cases_in_territory(agency.territory, _CASE)))
        parts.append(_former_case_ids(located_in(
            agency.territory, _TRANSFER.from_district_id, _TRANSFER.from_municipality_id)))
    return sa.union_all(*parts)


def case_visibility_by_rule(user: User) -> ColumnElement[bool]:
    """The case rule itself as an SQL predicate on :class:`Case`: the cases
    the user's agency is involved in (and, for a committee, the cases of its
    territory), one uncorrelated set of ids, each part read from one index.

    The reference the case-access rows (:func:`case_visibility`) are held to
    (tests/test_policy.py, tests/visibility); :func:`case_visibility_per_row`
    is the same rule for loading one case or a few rows.
    """
    ids = _visible_case_ids(user)
    if isinstance(ids, bool):
        return sa.true() if ids else sa.false()
    return Case.id.in_(ids)


def _access_agency(user: User) -> int | bool:
    """The agency whose case-access rows ``user`` reads; True: every case; False: none."""
    if not user.is_authenticated or not works_on_cases(user):
        return False
    agency = user.agency
    if agency.type == AgencyType.COMMITTEE and agency.territory.level == TerritoryLevel.COUNTRY:
        return True
    return agency.id


def case_visibility(user: User) -> ColumnElement[bool]:
    """SQL predicate on :class:`Case` selecting exactly the cases ``user`` may see,
    for lists and filters: one lookup per case in the case-access rows
    (``coordination.visibility``), which hold this module's case rule as data
    and are kept current in the transaction that changes who is involved."""
    agency_id = _access_agency(user)
    if isinstance(agency_id, bool):
        return sa.true() if agency_id else sa.false()
    return (sa.select(_ACCESS.case_id)
            .where(_ACCESS.agency_id == agency_id, _ACCESS.case_id == Case.id)
            .correlate(Case).exists())


def case_visibility_per_row(user: User) -> ColumnElement[bool]:
    """:func:`case_visibility` as a test of each row: correlated ``EXISTS``
    lookups by case id.

    For queries that reach one case or a handful (a case page, a referral or
    follow-up by id, the orders expiring today): the set form would collect
    all of an agency's cases to check a few. The truth-table test in
    tests/test_policy.py holds both forms to the same answers.
    """
    if not user.is_authenticated or not works_on_cases(user):
        return sa.false()
    agency = user.agency
    if agency.type == AgencyType.COMMITTEE and agency.territory.level == TerritoryLevel.COUNTRY:
        return sa.true()
    agency_id = agency.id

    def exists(entity, *conditions) -> ColumnElement[bool]:
        return sa.select(entity.id).where(entity.case_id == Case.id, *conditions) \
            .correlate(Case).exists()

    involved = [
        Case.opening_agency_id == agency_id,
        Case.lead_agency_id == agency_id,
        exists(_REFERRAL, sa.or_(
            _REFERRAL.from_agency_id == agency_id,
            sa.and_(_REFERRAL.to_agency_id == agency_id,
                    _REFERRAL.status.in_(RECEIVER_INVOLVED)))),
        exists(_FOLLOW_UP, _FOLLOW_UP.owner_agency_id == agency_id,
               _FOLLOW_UP.self_assigned.is_(False)),
        exists(_PROGRAMME, _PROGRAMME.provider_agency_id == agency_id),
        exists(_ORDER, _ORDER.issuing_agency_id == agency_id),
    ]
    # A case moved away stays readable by its former lead and committee until closed.
    former_party = [_TRANSFER.from_lead_agency_id == agency_id]
    if agency.type == AgencyType.COMMITTEE:
        involved.append(cases_in_territory(agency.territory))
        former_party.append(located_in(agency.territory, _TRANSFER.from_district_id,
                                       _TRANSFER.from_municipality_id))
    involved.append(sa.and_(Case.status != CaseStatus.CLOSED, exists(
        _TRANSFER, _TRANSFER.status == TransferStatus.ACCEPTED, sa.or_(*former_party))))
    return sa.or_(*involved)


def notification_visibility(user: User) -> ColumnElement[bool]:
    """SQL predicate on notifications: the user's agency's, and only those
    about no case or a case the user may open now (read time, not the time
    they were sent: an agency whose referral was declined, or whose
    follow-up no longer involves it, stops seeing that case's references)."""
    from coordination.notifications.models import Notification

    agency_id = _access_agency(user)
    if agency_id is False:
        return sa.false()
    if agency_id is True:
        about_visible = sa.true()
    else:
        about_visible = (sa.select(_ACCESS.case_id)
                         .where(_ACCESS.agency_id == agency_id,
                                _ACCESS.case_id == Notification.case_id)
                         .correlate(Notification).exists())
    return sa.and_(Notification.agency_id == user.agency_id,
                   sa.or_(Notification.case_id.is_(None), about_visible))


def visible_cases(user: User) -> sa.Select:
    """``SELECT`` of the cases ``user`` may see; callers add filters and order
    (:func:`newest_first` is the lists' order, read from the access rows' index)."""
    agency_id = _access_agency(user)
    if isinstance(agency_id, bool):
        return sa.select(Case).where(sa.true() if agency_id else sa.false())
    return sa.select(Case).join(_ACCESS, sa.and_(_ACCESS.case_id == Case.id,
                                                _ACCESS.agency_id == agency_id))


@dataclass(frozen=True)
class CaseListColumns:
    """The columns the case list filters and orders :func:`visible_cases` by:
    the access row's copies for an agency (one index per filter, in the
    list's order), the case's own for the whole country."""

    status: ColumnElement
    risk_level: ColumnElement
    district_id: ColumnElement
    #: The list's key, newest first: (registration, case id).
    created_at: ColumnElement
    case_id: ColumnElement


_CASE_COLUMNS = CaseListColumns(Case.status, Case.risk_level, Case.district_id,
                                Case.created_at, Case.id)
_ACCESS_COLUMNS = CaseListColumns(_ACCESS.status, _ACCESS.risk_level, _ACCESS.district_id,
                                  _ACCESS.created_at, _ACCESS.case_id)


def case_list_columns(user: User) -> CaseListColumns:
    """Where :func:`visible_cases` (and :func:`visible_case_keys`) of ``user``
    find the list's filters and key."""
    return _CASE_COLUMNS if isinstance(_access_agency(user), bool) else _ACCESS_COLUMNS


def newest_first(user: User) -> tuple:
    """The order of :func:`visible_cases` newest first: the access rows' own
    index (agency, registration, case) for an agency, so that a page costs a
    page; the cases' registration index for the whole country."""
    columns = case_list_columns(user)
    return columns.created_at.desc(), columns.case_id.desc()


def visible_case_keys(user: User) -> sa.Select:
    """``SELECT`` of the ids of the cases ``user`` may see without reading the
    cases: the agency's access rows alone (the filters of
    :func:`case_list_columns` apply), for counts that stop at a cap."""
    agency_id = _access_agency(user)
    if isinstance(agency_id, bool):
        return sa.select(Case.id).where(sa.true() if agency_id else sa.false())
    return sa.select(_ACCESS.case_id).where(_ACCESS.agency_id == agency_id)


def visible_case(user: User, case_id: int) -> sa.Select:
    """``SELECT`` of the case ``case_id`` if ``user`` may see it (else no row)."""
    return sa.select(Case).where(Case.id == case_id, case_visibility_per_row(user))


def count_visible_cases(user: User) -> sa.Select:
    """``SELECT`` of the number of cases ``user`` may see, unfiltered: the
    agency's access rows, counted from their index alone."""
    agency_id = _access_agency(user)
    if agency_id is True:
        return sa.select(sa.func.count(Case.id))
    if agency_id is False:
        return sa.select(sa.literal(0))
    return sa.select(sa.func.count()).select_from(_ACCESS).where(_ACCESS.agency_id == agency_id)


def _sees(user: User, case: Case) -> bool:
    query = sa.select(sa.exists().where(Case.id == case.id, case_visibility_per_row(user)))
    return bool(db.session.scalar(query))


# --- rules for one object: registered by object type and action -----------------


def _is_committee_for(agency: Agency, case: Case) -> bool:
    return agency.type == AgencyType.COMMITTEE and place_in(
        agency.territory, case.district, case.municipality_id)


def leads(user: User, case: Case) -> bool:
    """Whether the user's agency leads the case (views of others are audited)."""
    return user.agency_id == case.lead_agency_id


def holds_case(agency: Agency, case: Case) -> bool:
    """Whether ``agency`` already holds the case by its own standing: it
    opened or leads it, is the committee of its territory, issued an order on
    it, or receives a referral on it that consent or a legal ground covers.

    Such an agency needs no new cover when more work on the case is given to
    it; any other agency does (:func:`coordination.consent.services.require_cover`).
    """
    if agency.id in (case.opening_agency_id, case.lead_agency_id):
        return True
    if _is_committee_for(agency, case):
        return True
    if any(order.issuing_agency_id == agency.id for order in case.protection_orders):
        return True
    return any(
        referral.to_agency_id == agency.id and referral.status in RECEIVER_INVOLVED
        and (referral.legal_ground is not None or _consented(case, agency.type))
        for referral in case.referrals
    )


def _consented(case: Case, agency_type: AgencyType) -> bool:
    return any(record.scope == ConsentScope.SHARING and record.in_force
               and record.agency_type == agency_type for record in case.consents)


def _receives_with_cover(agency: Agency, case: Case) -> bool:
    """An accepted referral to the agency, covered by consent or a legal ground."""
    consented = {
        record.agency_type for record in case.consents
        if record.scope == ConsentScope.SHARING and record.in_force
    }
    return any(
        referral.to_agency_id == agency.id and referral.status in RECEIVER_ACCEPTED
        and (referral.legal_ground is not None or agency.type in consented)
        for referral in case.referrals
    )


def agency_sees_restricted(agency: Agency, case: Case) -> bool:
    """Whether ``agency``'s users see the case's restricted fields (the rule of
    ``VIEW_RESTRICTED``, for a letter written to that agency)."""
    return (agency.id == case.lead_agency_id or _is_committee_for(agency, case)
            or _receives_with_cover(agency, case))


#: (object type, action) -> rule(user, obj, sees) -> bool. ``sees()`` answers
#: whether the user may see the object's case (asked in SQL only when needed).
_RULES: dict[tuple[type, Action], Callable[[User, object, Callable[[], bool]], bool]] = {}


def rule(kind: type, *actions: Action):
    """Register the decorated function as the rule for ``actions`` on ``kind``."""

    def register(function):
        for action in actions:
            if (kind, action) in _RULES:
                raise ValueError(f"two rules for {action!r} on {kind.__name__}")
            _RULES[(kind, action)] = function
        return function

    return register


def _open(case: Case) -> bool:
    return case.status != CaseStatus.CLOSED


@rule(Case, Action.VIEW_CASE)
def _view_case(user, case, sees):
    return sees()


@rule(Case, Action.VIEW_RESTRICTED)
def _view_restricted(user, case, sees):
    # A former party that received a referral once reads no more than it did.
    return (leads(user, case) or _is_committee_for(user.agency, case)
            or (_receives_with_cover(user.agency, case) and _reads_whole(user, case)))


def _former_party(agency: Agency, case: Case) -> bool:
    """Whether ``agency`` led the case, or was its committee, before an
    accepted transfer moved it away (read from the loaded transfers)."""
    return any(
        transfer.status == TransferStatus.ACCEPTED and (
            transfer.from_lead_agency_id == agency.id
            or (agency.type == AgencyType.COMMITTEE and place_in(
                agency.territory, transfer.from_district, transfer.from_municipality_id)))
        for transfer in case.transfers)


# --- how much of a case: in full, or what one's own agency did -----------------


class CaseReading(enum.Enum):
    """How much of a case a user who sees it reads (:func:`case_reading`)."""

    IN_FULL = "in_full"
    #: The former lead or committee of a case moved away, with no work on it
    #: now: the case's identity, the transfers it took part in, and the items
    #: its own agency did (:func:`items_read`). Never the restricted fields.
    AS_FORMER_PARTY = "as_former_party"


def _involved_now(agency: Agency, case: Case) -> bool:
    """Whether ``agency`` has work on ``case`` now: it leads it or is the
    committee of its place, has a referral on it not yet finished (sent or
    received), owns an open follow-up given to it, provides its programme
    while it runs, or issued an order in force.

    Read from the loaded items. Each of these is an item of the agency's own,
    which reading as a former party keeps (:func:`items_read`): the answer is
    the same before and after the case is loaded that way.
    """
    if case.lead_agency_id == agency.id or _is_committee_for(agency, case):
        return True
    now = utcnow()
    return (
        any(referral.status not in FINAL_STATUSES
            and agency.id in (referral.from_agency_id, referral.to_agency_id)
            for referral in case.referrals)
        or any(follow_up.status == FollowUpStatus.OPEN and not follow_up.self_assigned
               and follow_up.owner_agency_id == agency.id for follow_up in case.follow_ups)
        or any(programme.provider_agency_id == agency.id
               and programme.status in (ProgrammeStatus.REFERRED, ProgrammeStatus.STARTED)
               for programme in case.programmes)
        or any(order.issuing_agency_id == agency.id and order.status(now) == OrderStatus.ACTIVE
               for order in case.protection_orders))


def case_reading(user: User, case: Case) -> CaseReading:
    """How ``user``, who sees ``case``, reads it: the one decision behind the
    case page's sections, its notes and documents, the restricted fields and
    the right to work on the case.

    A former party (the lead agency or committee before an accepted transfer,
    reading until closure) with no work on the case now reads what its own
    agency did; everyone else who sees the case reads it in full. Asks no
    query when the case's transfers, referrals, follow-ups, programmes and
    orders are loaded (the case page loads them).
    """
    agency = user.agency
    if _former_party(agency, case) and not _involved_now(agency, case):
        return CaseReading.AS_FORMER_PARTY
    return CaseReading.IN_FULL


#: The case a former party's reading is tested on (:func:`reads_as_former_party`).
_READ_CASE = aliased(Case)


def reads_as_former_party(user: User, case_id=Case.id) -> ColumnElement[bool]:
    """:func:`case_reading` as an SQL predicate on a case id column (the
    case's, or a case-access row's): the cases ``user`` reads as a former
    party. Lookups by case id, for the case list's rows and filters (its
    page, the risk filter and count, the search); tests/transfers holds it to
    :func:`case_reading` for every demo user and case after a move."""
    if not user.is_authenticated or not works_on_cases(user):
        return sa.false()
    agency = user.agency
    agency_id = agency.id
    case = _READ_CASE

    def exists(entity, *conditions) -> ColumnElement[bool]:
        return sa.select(entity.id).where(entity.case_id == case.id, *conditions) \
            .correlate(case).exists()

    former_party = [_TRANSFER.from_lead_agency_id == agency_id]
    involved_now = [
        case.lead_agency_id == agency_id,
        exists(_REFERRAL, _REFERRAL.status.not_in(FINAL_STATUSES),
               sa.or_(_REFERRAL.from_agency_id == agency_id,
                      _REFERRAL.to_agency_id == agency_id)),
        exists(_FOLLOW_UP, _FOLLOW_UP.status == FollowUpStatus.OPEN,
               _FOLLOW_UP.self_assigned.is_(False), _FOLLOW_UP.owner_agency_id == agency_id),
        exists(_PROGRAMME, _PROGRAMME.provider_agency_id == agency_id,
               _PROGRAMME.status.in_((ProgrammeStatus.REFERRED, ProgrammeStatus.STARTED))),
        # ProtectionOrder.status: in force while not revoked and not yet ended.
        exists(_ORDER, _ORDER.issuing_agency_id == agency_id, _ORDER.revoked_at.is_(None),
               _ORDER.valid_until > utcnow()),
    ]
    if agency.type == AgencyType.COMMITTEE:
        former_party.append(located_in(agency.territory, _TRANSFER.from_district_id,
                                       _TRANSFER.from_municipality_id))
        involved_now.append(cases_in_territory(agency.territory, case))
    # Correlated explicitly: inside another subquery (the search's test of a
    # case's incidents) auto-correlation would not reach the outer case and
    # would add ``cases`` to this FROM, asking about every case at once.
    return sa.select(case.id).where(
        case.id == case_id,
        exists(_TRANSFER, _TRANSFER.status == TransferStatus.ACCEPTED, sa.or_(*former_party)),
        sa.not_(sa.or_(*involved_now))).correlate_except(case).exists()


def incidents_read_as_former_party(user: User) -> ColumnElement[bool]:
    """SQL predicate on :class:`Incident`: those a former party reads (its
    staff recorded them: :func:`items_read`), for the case list's search."""
    return Incident.recorded_by_id.in_(sa.select(User.id).where(User.agency_id == user.agency_id))


def cases_read_as_former_party(user: User, case_ids) -> frozenset[int]:
    """Of ``case_ids`` (cases ``user`` sees: a page of the case list), those
    ``user`` reads as a former party, in one query (:func:`reads_as_former_party`)."""
    case_ids = list(case_ids)
    if not case_ids:
        return frozenset()
    return frozenset(db.session.scalars(
        sa.select(Case.id).where(Case.id.in_(case_ids), reads_as_former_party(user))))


def _reads_whole(user: User, case: Case) -> bool:
    return case_reading(user, case) is CaseReading.IN_FULL


def items_read(user: User, reading: CaseReading) -> tuple:
    """Loader options keeping, of a case's items, those ``user`` reads: none
    to add for :attr:`CaseReading.IN_FULL`; for a former party, the items its
    own agency did, one SQL predicate per kind of item.

    Added to the statement that loads the case (the sections read its
    collections) and to the sections' own queries (notes, documents). Kept: incidents its staff
    recorded, referrals it sent or received, follow-ups it owns or its staff
    created, orders it issued (and the breaches its staff reported),
    programmes it provides or its staff referred, risk assessments its staff
    made, its notes and documents, its own timeline entries, and the
    transfers it took part in. Nothing of the people or the consents: the
    survivor code and the reference identify the case. Every section's items
    are loaded with the case (``CaseSection.options``), so none is loaded
    later without these.
    """
    if reading is CaseReading.IN_FULL:
        return ()
    agency = user.agency
    agency_id = agency.id
    staff = sa.select(User.id).where(User.agency_id == agency_id)
    transfer_party = [CaseTransfer.from_lead_agency_id == agency_id,
                      CaseTransfer.to_lead_agency_id == agency_id]
    if agency.type == AgencyType.COMMITTEE:
        transfer_party += [
            located_in(agency.territory, CaseTransfer.from_district_id,
                       CaseTransfer.from_municipality_id),
            # A transfer has no municipality to go to: a municipality's
            # committee took part only as the one it left.
            located_in(agency.territory, CaseTransfer.to_district_id, sa.null())]
    criteria = (
        (Person, sa.false()),
        (ConsentRecord, sa.false()),
        (Incident, incidents_read_as_former_party(user)),
        (Referral, sa.or_(Referral.from_agency_id == agency_id,
                          Referral.to_agency_id == agency_id)),
        (FollowUp, sa.or_(FollowUp.owner_agency_id == agency_id,
                          FollowUp.created_by_id.in_(staff))),
        (ProtectionOrder, ProtectionOrder.issuing_agency_id == agency_id),
        (OrderViolation, OrderViolation.recorded_by_id.in_(staff)),
        (CorrectionalProgramme, sa.or_(CorrectionalProgramme.provider_agency_id == agency_id,
                                       CorrectionalProgramme.referred_by_id.in_(staff))),
        (RiskAssessment, RiskAssessment.assessed_by_id.in_(staff)),
        (CaseNote, CaseNote.agency_id == agency_id),
        (CaseDocument, CaseDocument.agency_id == agency_id),
        (TimelineEvent, TimelineEvent.agency_id == agency_id),
        (CaseTransfer, sa.or_(*transfer_party)),
    )
    # The statement's own loaders (the sections' eager loads) apply them; the
    # loaded objects do not carry them on, so that whoever loads the case next
    # in the same session is not limited by them.
    return tuple(with_loader_criteria(kind, where, propagate_to_loaders=False)
                 for kind, where in criteria)


def reads_item(user: User, item) -> bool:
    """Whether ``user``, who sees the case of ``item`` (a referral, an order
    ...), reads the item itself, for loaders by id: always when reading the
    case in full; a former party, its own agency's (:func:`items_read`'s
    predicate for the item's kind, asked in SQL)."""
    reading = case_reading(user, item.case)
    if reading is CaseReading.IN_FULL:
        return True
    kind = type(item)
    return db.session.scalar(sa.select(kind.id).where(kind.id == item.id)
                             .options(*items_read(user, reading))) is not None


def _works_on(user: User, case: Case, sees) -> bool:
    """Sees the case and reads it in full: a former lead or committee (a case
    transferred away) only reads what it did, unless it has work on it now."""
    return sees() and _reads_whole(user, case)


@rule(Case, Action.READ_WHOLE_CASE)
def _read_whole_case(user, case, sees):
    return _works_on(user, case, sees)


@rule(Case, Action.REFER, Action.ADD_FOLLOW_UP, Action.RECORD_INCIDENT, Action.ASSESS_RISK)
def _work_on_open_case(user, case, sees):
    return _open(case) and _works_on(user, case, sees)


@rule(Case, Action.ISSUE_TEMPORARY_ORDER)
def _issue_temporary_order(user, case, sees):
    return user.agency.type == AgencyType.POLICE and _open(case) and _works_on(user, case, sees)


@rule(Case, Action.RECORD_COURT_ORDER)
def _record_court_order(user, case, sees):
    return ((user.agency.type in (AgencyType.POLICE, AgencyType.COMMITTEE) or leads(user, case))
            and _open(case) and _works_on(user, case, sees))


@rule(Case, Action.RECORD_ORDER)
def _record_order(user, case, sees):
    return (_issue_temporary_order(user, case, sees)
            or _record_court_order(user, case, sees))


@rule(Case, Action.EDIT_CASE)
def _edit_case(user, case, sees):
    return leads(user, case) or _is_committee_for(user.agency, case)


@rule(Case, Action.CORRECT_PEOPLE)
def _correct_people(user, case, sees):
    # Who keeps the record: the lead agency and the committee (as for the
    # case's other details), and the agency that registered the case, which
    # entered the people in the first place; an open case only.
    return _open(case) and (_edit_case(user, case, sees)
                            or (user.agency_id == case.opening_agency_id
                                and _works_on(user, case, sees)))


@rule(Person, Action.CORRECT_PEOPLE)
def _correct_person(user, person, sees):
    return _correct_people(user, person.case, sees)


@rule(Incident, Action.CORRECT_INCIDENT)
def _correct_incident(user, incident, sees):
    # Who keeps the record (as for the people), and the agency that recorded
    # this incident: the police who added a later one with its register
    # number correct their own entry.
    case = incident.case
    return _correct_people(user, case, sees) or (
        _open(case) and incident.recorded_by.agency_id == user.agency_id
        and _works_on(user, case, sees))


@rule(Case, Action.CLOSE_CASE)
def _close_case(user, case, sees):
    return leads(user, case) and user.role == Role.LEAD


@rule(Case, Action.CHANGE_CASE_STATUS)
def _change_case_status(user, case, sees):
    if case.status == CaseStatus.CLOSED:  # the only move is reopening
        return _close_case(user, case, sees)
    return _edit_case(user, case, sees) or _close_case(user, case, sees)


@rule(Case, Action.REASSIGN_LEAD)
def _reassign_lead(user, case, sees):
    return user.role == Role.LEAD and (leads(user, case) or _is_committee_for(user.agency, case))


@rule(Case, Action.PROPOSE_TRANSFER)
def _propose_transfer(user, case, sees):
    """The lead agency proposes; the receiving committee decides (ANSWER_TRANSFER)."""
    return leads(user, case) and _open(case)


def _receiving_committee(agency: Agency, transfer: CaseTransfer) -> bool:
    return agency.type == AgencyType.COMMITTEE and place_in(
        agency.territory, transfer.to_district, None)


@rule(CaseTransfer, Action.ANSWER_TRANSFER)
def _answer_transfer(user, transfer, sees):
    return (transfer.status == TransferStatus.PROPOSED and _open(transfer.case)
            and _receiving_committee(user.agency, transfer))


@rule(CaseTransfer, Action.CANCEL_TRANSFER)
def _cancel_transfer(user, transfer, sees):
    return (transfer.status == TransferStatus.PROPOSED
            and user.agency_id == transfer.from_lead_agency_id)


@rule(Referral, Action.ANSWER_REFERRAL)
def _answer_referral(user, referral, sees):
    return sees() and user.agency_id == referral.to_agency_id


@rule(Referral, Action.CANCEL_REFERRAL)
def _cancel_referral(user, referral, sees):
    return sees() and user.agency_id == referral.from_agency_id


@rule(Referral, Action.REVOKE_REFERRAL)
def _revoke_referral(user, referral, sees):
    return sees() and leads(user, referral.case)


@rule(Referral, Action.ACT_ON_REFERRAL)
def _act_on_referral(user, referral, sees):
    return any(rule(user, referral, sees) for rule in
               (_answer_referral, _cancel_referral, _revoke_referral))


@rule(FollowUp, Action.COMPLETE_FOLLOW_UP)
def _complete_follow_up(user, follow_up, sees):
    # Who may, whatever the state: a follow-up closed meanwhile is the
    # service's rule ("not possible now"), shown as a message, not a 403.
    return sees() and user.agency_id == follow_up.owner_agency_id


@rule(FollowUp, Action.CANCEL_FOLLOW_UP)
def _cancel_follow_up(user, follow_up, sees):
    return sees() and leads(user, follow_up.case)


@rule(FollowUp, Action.CLOSE_FOLLOW_UP)
def _close_follow_up(user, follow_up, sees):
    return (_complete_follow_up(user, follow_up, sees)
            or _cancel_follow_up(user, follow_up, sees))


@rule(FollowUp, Action.UNDO_FOLLOW_UP_DONE)
def _undo_follow_up_done(user, follow_up, sees):
    # Only who marked it done, and only briefly (the window is the service's
    # rule): others may already have acted on "done".
    return sees() and follow_up.closed_by_id == user.id


@rule(ProtectionOrder, Action.CHANGE_ORDER)
def _change_order(user, order, sees):
    return sees() and user.agency_id == order.issuing_agency_id


@rule(ProtectionOrder, Action.RECORD_VIOLATION)
def _record_violation(user, order, sees):
    # Anyone working on the case may report a breach; it gives the police a
    # follow-up, which only an open case takes.
    return _open(order.case) and sees()


@rule(ProtectionOrder, Action.RECORD_ORDER_CHECK)
def _record_order_check(user, order, sees):
    # The police check orders: the agency that issued it, or for court
    # restrictions recorded by another agency any police working on the case.
    police = user.agency.type == AgencyType.POLICE
    return sees() and (user.agency_id == order.issuing_agency_id
                       or (police and order.issuing_agency.type != AgencyType.POLICE))


@rule(CorrectionalProgramme, Action.UPDATE_PROGRAMME)
def _update_programme(user, programme, sees):
    return sees() and user.agency_id == programme.provider_agency_id


@rule(ConsentRecord, Action.WITHDRAW_CONSENT)
def _withdraw_consent(user, consent, sees):
    return _edit_case(user, consent.case, sees)


@rule(Meeting, Action.VIEW_MEETING, Action.PREPARE_AGENDA, Action.RECORD_MEETING)
def _meeting_work(user, meeting, sees):
    return may_use(user, Section.MEETINGS) and user.agency_id == meeting.committee_id


@rule(AgendaItem, Action.PREPARE_AGENDA, Action.RECORD_MEETING)
def _prepare_agenda_item(user, item, sees):
    """The committee's own meeting: its agenda, and the note on each case."""
    return _meeting_work(user, item.meeting, sees)


@rule(Meeting, Action.MANAGE_MEETING)
def _manage_meeting(user, meeting, sees):
    return _meeting_work(user, meeting, sees) and user.role == Role.LEAD


@rule(Agency, Action.SCHEDULE_MEETING)
def _schedule_meeting(user, agency, sees):
    # The committee's head schedules its meetings.
    return may_use(user, Section.MEETINGS) and user.agency_id == agency.id \
        and user.role == Role.LEAD


@rule(Case, Action.ATTACH_DOCUMENT)
def _attach_document(user, case, sees):
    return _open(case) and sees()


@rule(CaseDocument, Action.READ_DOCUMENT)
def _read_document(user, document, sees):
    # A certificate or a court decision says more than the restricted fields.
    return sees() and (user.agency_id == document.agency_id
                       or _view_restricted(user, document.case, sees))


@rule(Meeting, Action.ATTACH_MEETING_DOCUMENT)
def _attach_meeting_document(user, meeting, sees):
    return meeting.status != MeetingStatus.CANCELLED and _meeting_work(user, meeting, sees)


@rule(MeetingDocument, Action.READ_MEETING_DOCUMENT)
def _read_meeting_document(user, document, sees):
    # Whoever opens the meeting reads its files; the attending agencies do
    # not open the meeting page, so neither do they read its documents.
    return _meeting_work(user, document.meeting, sees)


@rule(Case, Action.PRINT_CASE_SUMMARY)
def _print_case_summary(user, case, sees):
    return leads(user, case)


@rule(Referral, Action.PRINT_REFERRAL_LETTER)
def _print_referral_letter(user, referral, sees):
    return sees() and user.agency_id in (referral.from_agency_id, referral.to_agency_id)


@rule(ProtectionOrder, Action.PRINT_ORDER_RECORD)
def _print_order_record(user, order, sees):
    return sees() and (user.agency_id == order.issuing_agency_id or leads(user, order.case)
                       or _is_committee_for(user.agency, order.case))


@rule(Case, Action.ADD_NOTE)
def _add_note(user, case, sees):
    return _open(case) and sees()


@rule(CaseNote, Action.READ_NOTE)
def _read_note(user, note, sees):
    return sees() and (user.agency_id == note.agency_id
                       or (note.visibility == NoteVisibility.INVOLVED
                           and _reads_whole(user, note.case)))


@rule(CaseNote, Action.EDIT_NOTE)
def _edit_note(user, note, sees):
    return sees() and user.id == note.author_id


def _agency_consented(agency: Agency, case: Case) -> bool:
    """Sharing consent in force for the agency's type (the survivor's say)."""
    return _consented(case, agency.type)


@rule(Case, Action.VIEW_SAFETY_PLAN)
def _view_safety_plan(user, case, sees):
    # The survivor's own plan: not even the committee, unless she consented.
    return leads(user, case) or (_agency_consented(user.agency, case)
                                 and _works_on(user, case, sees))


@rule(Case, Action.EDIT_SAFETY_PLAN)
def _edit_safety_plan(user, case, sees):
    return leads(user, case) and _open(case)


@rule(Case, Action.SEE_CASE_VIEWS)
def _see_case_views(user, case, sees):
    return leads(user, case) or _is_committee_for(user.agency, case)


#: Actions on accounts: decided without any case, for administrators and heads.
_ACCOUNT_ACTIONS = frozenset({Action.MANAGE_USER, Action.MOVE_USER, Action.CREATE_USER_IN,
                              Action.CONFIRM_ACCOUNT})
#: Actions decided without the case's visibility (their rule says who).
_CASELESS_ACTIONS = _ACCOUNT_ACTIONS | {Action.READ_ORDER_STATUS}


@rule(User, Action.MANAGE_USER)
def _manage_user(user, target, sees):
    return can_manage_user(user, target)


@rule(User, Action.MOVE_USER)
def _move_user(user, target, sees):
    return administers_everything(user) and can_manage_user(user, target)


@rule(User, Action.CONFIRM_ACCOUNT)
def _confirm_account(user, target, sees):
    return can_confirm_account(user, target)


@rule(Agency, Action.CREATE_USER_IN)
def _create_user_in(user, agency, sees):
    return _may_create_users_in(user, agency)


@rule(ProtectionOrder, Action.READ_ORDER_STATUS)
def _read_order_status(user, order, sees):
    # Decided without the case's visibility: a court sees no case, only the
    # orders on the cases of its territory (visible_order_statuses).
    case = order.case
    return may_use(user, Section.ORDER_STATUS) and place_in(
        user.agency.territory, case.district, case.municipality_id)


@rule(IncomingReport, Action.TRIAGE_REPORT)
def _triage_report(user, report, sees):
    # Whatever the report's state: one triaged meanwhile is the service's
    # rule ("not possible now"), not a 403.
    return may_use(user, Section.TRIAGE) and _triages_district(user.agency, report.district)


def _triages_district(agency: Agency, district: Territory) -> bool:
    territory = agency.territory
    if territory.level == TerritoryLevel.MUNICIPALITY:  # its district's calls
        return district.id == territory.parent_id
    return place_in(territory, district, None)


def case_of(obj) -> Case | None:
    """The case an object belongs to (itself for a case), or None."""
    if isinstance(obj, Case):
        return obj
    return getattr(obj, "case", None)


def can(user: User, action: Action, obj, case_visible: bool = False) -> bool:
    """Whether ``user`` may do ``action`` on ``obj``; an action with no rule
    for the object's type raises instead of defaulting to yes.

    Visibility of the case is checked in SQL, with the same predicate as the
    lists. ``case_visible=True`` skips that query for a caller that loaded
    the case through the policy in this request (the case page asks about
    every referral and follow-up on it).
    """
    if not isinstance(action, Action):
        raise ValueError(f"unknown action {action!r}")
    found = _RULES.get((type(obj), action))
    if found is None:
        raise ValueError(f"no rule for {action!r} on {type(obj).__name__}")
    if action in _CASELESS_ACTIONS:
        return user.is_authenticated and found(user, obj, None)
    if not user.is_authenticated or not works_on_cases(user):
        return False
    case = case_of(obj)

    def sees() -> bool:
        return case_visible or (case is not None and _sees(user, case))

    return found(user, obj, sees)


# --- incoming reports: the triage queue ----------------------------------------


def visible_reports(user: User) -> sa.Select:
    """``SELECT`` of the incoming reports in ``user``'s triage queue: those of
    the districts in their agency's territory (a municipality's committee or
    police: its district), for the committee and the police only."""
    if not user.is_authenticated or not may_use(user, Section.TRIAGE):
        return sa.select(IncomingReport).where(sa.false())
    territory = user.agency.territory
    query = sa.select(IncomingReport)
    if territory.level == TerritoryLevel.MUNICIPALITY:
        return query.where(IncomingReport.district_id == territory.parent_id)
    return query.where(located_in(territory, IncomingReport.district_id, None))


# --- the status of orders by number: a court --------------------------------------


def visible_order_statuses(user: User) -> sa.Select:
    """``SELECT`` of the protection orders whose status ``user`` may read by
    number: for a court, those on the cases of its territory (a district
    court its district's, a country-wide court every one); nobody else's.
    The rule ``READ_ORDER_STATUS`` is the object form."""
    if not user.is_authenticated or not may_use(user, Section.ORDER_STATUS):
        return sa.select(ProtectionOrder).where(sa.false())
    return (sa.select(ProtectionOrder).join(ProtectionOrder.case)
            .where(cases_in_territory(user.agency.territory)))


def may_hold_scope(agency: Agency, scope: Scope) -> bool:
    """Whether an API client of ``agency`` may be given ``scope``: the
    status of orders by number is a court's alone (issue 18)."""
    if scope is Scope.READ_ORDER_STATUS:
        return agency.type == AgencyType.COURT
    return True


# --- which expiring orders an agency watches ------------------------------------


def watched_orders(agency: Agency) -> ColumnElement[bool]:
    """SQL predicate on :class:`ProtectionOrder` (joined to its case): the
    orders whose expiry ``agency`` is warned of. The police watch the orders
    they issued; a committee those on the cases of its territory; others none.
    """
    if agency.type == AgencyType.POLICE:
        return ProtectionOrder.issuing_agency_id == agency.id
    if agency.type == AgencyType.COMMITTEE:
        return cases_in_territory(agency.territory)
    return sa.false()


# --- where a user may register cases ----------------------------------------


def registration_districts(user: User) -> sa.Select:
    """``SELECT`` of the districts in which ``user`` may register a case."""
    if not works_on_cases(user):
        return sa.select(Territory).where(sa.false())
    territory = user.agency.territory
    query = sa.select(Territory).where(
        Territory.level == TerritoryLevel.DISTRICT, Territory.active.is_(True)
    )
    if territory.level == TerritoryLevel.COUNTRY:
        return query
    if territory.level == TerritoryLevel.REGION:
        return query.where(Territory.parent_id == territory.id)
    if territory.level == TerritoryLevel.MUNICIPALITY:
        return query.where(Territory.id == territory.parent_id)
    return query.where(Territory.id == territory.id)


def agencies_serving(case: Case) -> sa.Select:
    """``SELECT`` of active case-working agencies that serve the case's place.

    Those serving its district, a municipality in it, or its region; these
    may receive referrals and own follow-ups on the case.
    """
    return agencies_serving_territory(case.district)


# --- administration: whose accounts, which agencies --------------------------


#: The accounts API clients act through (coordination/api): nobody manages
#: them as people (a password reset would let someone sign in as a client).
_SERVICE_USERS = sa.select(ApiClient.service_user_id).scalar_subquery()


def manageable_users(user: User) -> sa.Select:
    """``SELECT`` of the users ``user`` may manage; callers add filters and order.

    Administrators: everyone. An agency head: their own agency's members and
    heads, never an administrator. Anyone else: nobody.
    """
    people = sa.select(User).where(User.id.not_in(_SERVICE_USERS))
    if administers_everything(user):
        return people
    if heads_an_agency(user):
        return people.where(User.agency_id == user.agency_id, User.role != Role.ADMIN)
    return sa.select(User).where(sa.false())


def can_manage_user(user: User, target: User) -> bool:
    """The object form of :func:`manageable_users`."""
    if db.session.scalar(sa.select(sa.exists().where(ApiClient.service_user_id == target.id))):
        return False  # an API client's account: managed through the client
    if administers_everything(user):
        return True
    return (
        heads_an_agency(user)
        and target.agency_id == user.agency_id
        and target.role != Role.ADMIN
    )


def manageable_agencies(user: User) -> sa.Select:
    """``SELECT`` of the agencies in which ``user`` may create users."""
    if administers_everything(user):
        return sa.select(Agency)
    if heads_an_agency(user):
        return sa.select(Agency).where(Agency.id == user.agency_id)
    return sa.select(Agency).where(sa.false())


def _may_create_users_in(user: User, agency: Agency) -> bool:
    return administers_everything(user) or (heads_an_agency(user) and agency.id == user.agency_id)


def assignable_roles(user: User) -> list[Role]:
    """Roles ``user`` may give: an agency head never makes an administrator."""
    if administers_everything(user):
        return list(Role)
    if heads_an_agency(user):
        return [Role.MEMBER, Role.LEAD]
    return []


def directory_agencies(user: User) -> sa.Select:
    """``SELECT`` of the active agencies a committee's directory lists: those
    serving the committee's territory or a territory within it."""
    if not may_use(user, Section.AGENCY_DIRECTORY):
        return sa.select(Agency).where(sa.false())
    return sa.select(Agency).where(
        Agency.active.is_(True),
        Agency.territory_id.in_(territories_within(user.agency.territory)),
    )


# --- transfers between districts ----------------------------------------------------


def transfer_inbox(user: User) -> sa.Select:
    """``SELECT`` of the proposed transfers ``user``'s committee is to answer:
    those into its territory. The committee reads, before accepting, only
    what the transfer page shows (reference, survivor code, districts, lead)."""
    if not works_on_cases(user) or user.agency.type != AgencyType.COMMITTEE:
        return sa.select(CaseTransfer).where(sa.false())
    return sa.select(CaseTransfer).where(
        CaseTransfer.status == TransferStatus.PROPOSED,
        located_in(user.agency.territory, CaseTransfer.to_district_id, sa.null()))


def visible_transfer(user: User, transfer_id: int) -> sa.Select:
    """``SELECT`` of one transfer if ``user`` may open it: on a case they see,
    or one proposed into their committee's territory."""
    inbox = transfer_inbox(user).with_only_columns(CaseTransfer.id)
    return sa.select(CaseTransfer).join(Case, Case.id == CaseTransfer.case_id).where(
        CaseTransfer.id == transfer_id,
        sa.or_(case_visibility_per_row(user), CaseTransfer.id.in_(inbox)))


# --- committee meetings -----------------------------------------------------------


def visible_meetings(user: User) -> sa.Select:
    """``SELECT`` of the meetings ``user`` may open: their own committee's.

    Another committee's meeting answers 404, like one that does not exist.
    """
    if not may_use(user, Section.MEETINGS):
        return sa.select(Meeting).where(sa.false())
    return sa.select(Meeting).where(Meeting.committee_id == user.agency_id)


# --- statistics -------------------------------------------------------------------


def statistics_territory(user: User) -> Territory | None:
    """The territory whose anonymized statistics ``user`` may see, or None.

    The ministry sees the whole country; a committee or another agency its
    own territory (DESIGN.md section 5); administrators see no statistics.
    """
    if not may_use(user, Section.REPORTS):
        return None
    if user.agency.type == AgencyType.MINISTRY:
        return db.session.scalar(
            sa.select(Territory).where(Territory.level == TerritoryLevel.COUNTRY))
    return user.agency.territory

