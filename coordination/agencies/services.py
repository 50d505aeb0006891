"""Agency services: the administrators' list, creating, editing, deactivating,
and the committees' directory.

Agencies are never deleted: cases, users and the audit log refer to them.
A deactivated agency's users can no longer sign in (``User.is_active``) and
it is no longer offered as a lead agency; what it still leads is listed so
that it can be handed over.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from coordination import policy
from coordination.accounts import session_store
from coordination.accounts.models import SessionEnd, User
from coordination.agencies.models import NOT_CASE_WORKING, Agency, AgencyType
from coordination.audit.models import AuditAction
from coordination.audit.services import record
from coordination.cases.models import Case, CaseStatus
from coordination.extensions import db
from coordination.followups.models import FollowUp, FollowUpStatus
from coordination.queries import admin_page, agencies_within, matching_text
from coordination.referrals.models import Referral, ReferralStatus
from coordination.refusals import Forbidden, NotFound, RuleBroken
from coordination.territories.models import Territory

#: Upper-case letters, digits and hyphens, e.g. ``CHUI-POLICE``.
CODE = re.compile(r"[A-Z0-9][A-Z0-9-]{1,31}")


class AgencyError(RuleBroken):
    """An agency could not be created or changed."""


@dataclass
class AgencyFilters:
    #: Part of the code or the name.
    query: str | None = None
    territory_id: int | None = None
    type: AgencyType | None = None
    #: True: active only; False: deactivated only; None: both.
    active: bool | None = None


def _require_admin(actor: User) -> None:
    if not policy.may_use(actor, policy.Section.AGENCIES):
        raise Forbidden("only administrators manage agencies")


def list_agencies(actor: User, filters: AgencyFilters, page: int = 1):
    """One page of agencies, by code (a Pagination)."""
    _require_admin(actor)
    query = sa.select(Agency).options(joinedload(Agency.territory)).order_by(Agency.code)
    query = matching_text(query, filters.query, Agency.code, Agency.name)
    query = agencies_within(query, filters.territory_id)
    if filters.type is not None:
        query = query.where(Agency.type == filters.type)
    if filters.active is not None:
        query = query.where(Agency.active.is_(filters.active))
    return admin_page(query, page)


def active_user_counts(agency_ids: list[int]) -> dict[int, int]:
    """Active users per agency, for the given agencies, in one grouped query."""
    rows = db.session.execute(
        sa.select(User.agency_id, sa.func.count(User.id))
        .where(User.agency_id.in_(agency_ids), User.active.is_(True))
        .group_by(User.agency_id)
    )
    return dict(rows.all())


def get_agency_or_404(actor: User, agency_id: int) -> Agency:
    """The agency, for an administrator; 404 if there is none."""
    _require_admin(actor)
    agency = db.session.get(Agency, agency_id)
    if agency is None:
        raise NotFound()
    return agency


def _check_territory(territory: Territory | None) -> Territory:
    if territory is None or not territory.active:
        raise AgencyError(_l("Choose the territory the agency serves."), "territory")
    return territory


def _check_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise AgencyError(_l("Enter the agency's name."), "name")
    if len(name) > 200:
        raise AgencyError(_l("A name has at most 200 characters."), "name")
    return name


def create_agency(
    actor: User, code: str, name: str, agency_type: AgencyType, territory: Territory | None
) -> Agency:
    """Create an active agency; raises :class:`AgencyError` for a broken rule.

    Every agency serves a territory; the code is upper-case, unique and
    stays as it is (CSV imports name agencies by it).
    """
    _require_admin(actor)
    code = code.strip().upper()
    if not CODE.fullmatch(code):
        raise AgencyError(_l("A code has 2 to 32 characters: Latin letters, digits and "
                             "hyphens, e.g. CHUI-POLICE."), "code")
    taken = db.session.scalar(sa.select(Agency.id).where(sa.func.upper(Agency.code) == code))
    if taken is not None:
        raise AgencyError(_l("The code %(code)s is taken.", code=code), "code")
    agency = Agency(code=code, name=_check_name(name), type=agency_type,
                    territory=_check_territory(territory))
    db.session.add(agency)
    db.session.flush()
    record(AuditAction.AGENCY_CREATED, actor, "agency", agency.id)
    return agency


def update_agency(
    actor: User, agency: Agency, name: str, agency_type: AgencyType, territory: Territory | None
) -> None:
    """Change an agency's name, type and territory.

    An agency never becomes or stops being the ministry or a court: that
    would give its users case access, or take a case-working agency's cases
    away, through an edit (and a court's API clients read order status).
    """
    _require_admin(actor)
    name = _check_name(name)
    territory = _check_territory(territory)
    if agency_type != agency.type and NOT_CASE_WORKING & {agency_type, agency.type}:
        raise AgencyError(_l("An agency cannot become the ministry or a court, or stop "
                             "being one. Create a new agency instead."), "type")
    if (name, agency_type, territory.id) != (agency.name, agency.type, agency.territory_id):
        agency.name = name
        agency.type = agency_type
        agency.territory = territory
        db.session.flush()
        record(AuditAction.AGENCY_UPDATED, actor, "agency", agency.id)


def open_cases_led(agency: Agency) -> sa.Select:
    """``SELECT`` of the open cases ``agency`` leads (for an existence test)."""
    return sa.select(Case.id).where(Case.lead_agency_id == agency.id,
                                    Case.status != CaseStatus.CLOSED)


def pending_referrals(agency: Agency) -> sa.Select:
    """``SELECT`` of the referrals ``agency`` has still to answer or complete."""
    return sa.select(Referral.id).where(
        Referral.to_agency_id == agency.id,
        Referral.status.in_([ReferralStatus.SENT, ReferralStatus.ACCEPTED,
                             ReferralStatus.IN_PROGRESS]))


def open_follow_ups(agency: Agency) -> sa.Select:
    """``SELECT`` of ``agency``'s open follow-ups."""
    return sa.select(FollowUp.id).where(FollowUp.owner_agency_id == agency.id,
                                        FollowUp.status == FollowUpStatus.OPEN)


@dataclass
class HandOver:
    """What a deactivation leaves behind, to be reassigned before it goes.

    Yes or no for each kind, never a count or a case reference: the
    administrator, who never sees cases, learns only that work is open and
    whom to ask (the committee and the lead agencies see it through the
    policy). An exact small count of an agency's cases would be a statistic
    outside disclosure control (issue 14).
    """

    cases: bool  #: it leads open cases
    referrals: bool  #: it has referrals to answer or complete
    follow_ups: bool  #: it owns open follow-ups
    active_users: int

    @property
    def anything_open(self) -> bool:
        return self.cases or self.referrals or self.follow_ups


def _any(query: sa.Select) -> bool:
    return bool(db.session.scalar(sa.select(query.exists())))


def hand_over(actor: User, agency: Agency) -> HandOver:
    """Whether ``agency`` leads open cases, has unfinished referrals or owns
    open follow-ups, which must be reassigned before it goes."""
    _require_admin(actor)
    users = active_user_counts([agency.id]).get(agency.id, 0)
    return HandOver(_any(open_cases_led(agency)), _any(pending_referrals(agency)),
                    _any(open_follow_ups(agency)), users)


def deactivate_agency(actor: User, agency: Agency) -> None:
    """Deactivate an agency: its users can no longer sign in.

    Administrators cannot deactivate their own agency (they would lock
    themselves out).
    """
    _require_admin(actor)
    if agency.id == actor.agency_id:
        raise AgencyError(_l("You cannot deactivate your own agency."))
    if agency.active:
        agency.active = False
        # Its users' sessions end now, not just while the agency stays inactive.
        session_store.end_all_in_agency(agency.id, SessionEnd.DEACTIVATED)
        record(AuditAction.AGENCY_DEACTIVATED, actor, "agency", agency.id)


def reactivate_agency(actor: User, agency: Agency) -> None:
    """Reactivate an agency (its users' own active flags are unchanged)."""
    _require_admin(actor)
    if not agency.active:
        agency.active = True
        record(AuditAction.AGENCY_REACTIVATED, actor, "agency", agency.id)


# --- the committees' directory ------------------------------------------------------


def directory(actor: User, page: int = 1):
    """One page of the active agencies in the committee's territory (a Pagination)."""
    query = (
        policy.directory_agencies(actor)
        .options(joinedload(Agency.territory))
        .order_by(Agency.type, Agency.name, Agency.id)
    )
    return admin_page(query, page)


def active_staff(agency_ids: list[int]) -> dict[int, list[User]]:
    """Active users of the given agencies, by agency, by name, in one query."""
    staff: dict[int, list[User]] = {agency_id: [] for agency_id in agency_ids}
    query = (
        sa.select(User)
        .where(User.agency_id.in_(agency_ids), User.active.is_(True))
        .order_by(User.full_name, User.id)
    )
    for user in db.session.scalars(query):
        staff[user.agency_id].append(user)
    return staff


# --- the referral directory ---------------------------------------------------------

#: A phone as people write it: digits, spaces, +, -, parentheses.
_PHONE = re.compile(r"^\+?[0-9 ()\-]{5,40}$")


@dataclass
class DirectoryEntry:
    """An agency's entry in the referral directory (all optional)."""

    services: str | None = None
    phone: str | None = None
    address: str | None = None
    hours: str | None = None
    languages: str | None = None


def update_directory_entry(actor: User, agency: Agency, entry: DirectoryEntry) -> None:
    """Change what the directory tells about ``agency``; audited when anything changed."""
    _require_admin(actor)
    values = {name: (getattr(entry, name) or "").strip() or None
              for name in ("services", "phone", "address", "hours", "languages")}
    if values["phone"] is not None and not _PHONE.match(values["phone"]):
        raise AgencyError(_l("Enter a phone number of digits, spaces, +, - and brackets."),
                          "phone")
    if values["services"] is not None:  # one service a line, no empty lines
        values["services"] = "\n".join(
            line.strip() for line in values["services"].splitlines() if line.strip())
    if any(getattr(agency, name) != value for name, value in values.items()):
        for name, value in values.items():
            setattr(agency, name, value)
        db.session.flush()
        record(AuditAction.AGENCY_UPDATED, actor, "agency", agency.id)
