"""Cases, the people on them, incidents and the case timeline."""
from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.accounts.models import User
from coordination.agencies.models import Agency
from coordination.extensions import db
from coordination.models_base import enum_type, utcnow
from coordination.territories.models import Territory

if TYPE_CHECKING:
    from coordination.consent.models import ConsentRecord
    from coordination.followups.models import FollowUp
    from coordination.programmes.models import CorrectionalProgramme
    from coordination.protection.models import ProtectionOrder
    from coordination.referrals.models import Referral
    from coordination.risk.models import RiskAssessment


class CaseStatus(enum.StrEnum):
    OPEN = "open"
    ACTIVE = "active"
    MONITORING = "monitoring"
    CLOSED = "closed"


class RiskLevel(enum.StrEnum):
    STANDARD = "standard"
    MEDIUM = "medium"
    HIGH = "high"


class PersonRole(enum.StrEnum):
    SURVIVOR = "survivor"
    ALLEGED_PERPETRATOR = "alleged_perpetrator"
    CHILD = "child"
    OTHER = "other"


class Sex(enum.StrEnum):
    FEMALE = "female"
    MALE = "male"


class Relationship(enum.StrEnum):
    """Who the alleged perpetrator is to the survivor (the law's list of family
    members and persons equated to them)."""

    SPOUSE = "spouse"
    FORMER_SPOUSE = "former_spouse"
    DE_FACTO_PARTNER = "de_facto_partner"
    PARENT = "parent"
    CHILD = "child"
    PARENT_IN_LAW = "parent_in_law"
    OTHER_RELATIVE = "other_relative"
    CARER = "carer"
    OTHER = "other"


class ViolenceForm(enum.StrEnum):
    PHYSICAL = "physical"
    PSYCHOLOGICAL = "psychological"
    ECONOMIC = "economic"
    SEXUAL = "sexual"
    NEGLECT = "neglect"
    THREAT = "threat"


class IncidentPlace(enum.StrEnum):
    SHARED_HOME = "shared_home"
    SURVIVOR_HOME = "survivor_home"
    RELATIVES_HOME = "relatives_home"
    PUBLIC_PLACE = "public_place"
    WORKPLACE = "workplace"
    OTHER = "other"


class Reporter(enum.StrEnum):
    """Who reported the incident."""

    SURVIVOR = "survivor"
    RELATIVE = "relative"
    NEIGHBOUR = "neighbour"
    SCHOOL = "school"
    HEALTH_WORKER = "health_worker"
    POLICE_PATROL = "police_patrol"
    CALL_102_112 = "call_102_112"
    HOTLINE_117 = "hotline_117"
    OTHER = "other"


class TimelineKind(enum.StrEnum):
    CASE_REGISTERED = "case_registered"
    INCIDENT_RECORDED = "incident_recorded"
    STATUS_CHANGED = "status_changed"
    CASE_CLOSED = "case_closed"
    CASE_REOPENED = "case_reopened"
    LEAD_AGENCY_CHANGED = "lead_agency_changed"
    CONSENT_RECORDED = "consent_recorded"
    CONSENT_WITHDRAWN = "consent_withdrawn"
    REFERRAL_SENT = "referral_sent"
    REFERRAL_ACCEPTED = "referral_accepted"
    REFERRAL_DECLINED = "referral_declined"
    REFERRAL_STARTED = "referral_started"
    REFERRAL_COMPLETED = "referral_completed"
    REFERRAL_CANCELLED = "referral_cancelled"
    REFERRAL_REVOKED = "referral_revoked"
    FOLLOW_UP_ADDED = "follow_up_added"
    FOLLOW_UP_DONE = "follow_up_done"
    FOLLOW_UP_CANCELLED = "follow_up_cancelled"
    RISK_ASSESSED = "risk_assessed"
    ORDER_ISSUED = "order_issued"
    ORDER_EXTENDED = "order_extended"
    ORDER_REVOKED = "order_revoked"
    ORDER_VIOLATED = "order_violated"
    PROGRAMME_REFERRED = "programme_referred"
    PROGRAMME_STARTED = "programme_started"
    PROGRAMME_COMPLETED = "programme_completed"
    PROGRAMME_DROPPED_OUT = "programme_dropped_out"
    PUT_ON_AGENDA = "put_on_agenda"
    TAKEN_OFF_AGENDA = "taken_off_agenda"
    DISCUSSED_AT_MEETING = "discussed_at_meeting"


class ClosureReason(enum.StrEnum):
    SAFETY_PLAN_ACHIEVED = "safety_plan_achieved"
    MOVED_AWAY = "moved_away"
    SURVIVOR_DECLINED_SUPPORT = "survivor_declined_support"
    NO_FURTHER_CONTACT = "no_further_contact"
    TRANSFERRED = "transferred"
    OTHER = "other"


class Case(db.Model):
    """A household situation, centred on the survivor."""

    __tablename__ = "cases"
    __table_args__ = (
        # The case list sorts newest first within what a user may see; the
        # access policy collects a district's or an agency's case ids from
        # these alone (the id is in the index for PostgreSQL's index-only scans).
        sa.Index("ix_cases_district_id_created_at_id", "district_id", "created_at", "id"),
        sa.Index("ix_cases_lead_agency_id_created_at_id", "lead_agency_id", "created_at", "id"),
        sa.Index("ix_cases_opening_agency_id_created_at_id",
                 "opening_agency_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Public reference that reveals nothing about the person, e.g. DV-2026-7KQ3M9.
    reference: Mapped[str] = mapped_column(sa.String(24), unique=True)
    district_id: Mapped[int] = mapped_column(sa.ForeignKey("territories.id"))
    #: Indexed for the visibility of a municipality-level committee.
    municipality_id: Mapped[int | None] = mapped_column(sa.ForeignKey("territories.id"),
                                                        index=True)
    opening_agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"))
    lead_agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"))
    status: Mapped[CaseStatus] = mapped_column(
        enum_type(CaseStatus), default=CaseStatus.OPEN, index=True
    )
    closure_reason: Mapped[ClosureReason | None] = mapped_column(enum_type(ClosureReason))
    #: None until the first risk assessment.
    risk_level: Mapped[RiskLevel | None] = mapped_column(enum_type(RiskLevel), index=True)
    #: Another incident with the same survivor and alleged perpetrator came
    #: within 12 months of an earlier one (set when it is recorded).
    is_repeat: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    #: Initials and birth year of the survivor, the only identifier lists show.
    survivor_code: Mapped[str] = mapped_column(sa.String(16), index=True)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    district: Mapped[Territory] = relationship(foreign_keys=[district_id])
    municipality: Mapped[Territory | None] = relationship(foreign_keys=[municipality_id])
    opening_agency: Mapped[Agency] = relationship(foreign_keys=[opening_agency_id])
    lead_agency: Mapped[Agency] = relationship(foreign_keys=[lead_agency_id])
    created_by: Mapped[User] = relationship()
    people: Mapped[list[Person]] = relationship(
        back_populates="case", order_by="Person.id", cascade="all, delete-orphan"
    )
    incidents: Mapped[list[Incident]] = relationship(
        back_populates="case", order_by="Incident.occurred_on", cascade="all, delete-orphan"
    )
    timeline: Mapped[list[TimelineEvent]] = relationship(
        back_populates="case", order_by="TimelineEvent.id", cascade="all, delete-orphan"
    )
    referrals: Mapped[list[Referral]] = relationship(
        back_populates="case", order_by="Referral.sent_at"
    )
    follow_ups: Mapped[list[FollowUp]] = relationship(
        back_populates="case", order_by="FollowUp.due_on"
    )
    consents: Mapped[list[ConsentRecord]] = relationship(order_by="ConsentRecord.recorded_at",
                                                         back_populates="case")
    risk_assessments: Mapped[list[RiskAssessment]] = relationship(
        back_populates="case", order_by="RiskAssessment.assessed_at"
    )
    protection_orders: Mapped[list[ProtectionOrder]] = relationship(
        back_populates="case", order_by="ProtectionOrder.issued_at"
    )
    programmes: Mapped[list[CorrectionalProgramme]] = relationship(
        back_populates="case", order_by="CorrectionalProgramme.referred_at"
    )

    def __repr__(self) -> str:
        return f"<Case {self.reference}>"


class Person(db.Model):
    """Someone on a case. ``phone`` and ``address`` are restricted fields."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    role: Mapped[PersonRole] = mapped_column(enum_type(PersonRole))
    last_name: Mapped[str] = mapped_column(sa.String(100))
    first_name: Mapped[str] = mapped_column(sa.String(100))
    patronymic: Mapped[str | None] = mapped_column(sa.String(100))
    sex: Mapped[Sex] = mapped_column(enum_type(Sex))
    birth_year: Mapped[int | None]
    disability: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    #: For an alleged perpetrator: who they are to the survivor.
    relationship_to_survivor: Mapped[Relationship | None] = mapped_column(
        enum_type(Relationship)
    )
    #: Restricted: shown only where the access policy allows.
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    #: Restricted: current address or shelter.
    address: Mapped[str | None] = mapped_column(sa.String(300))

    case: Mapped[Case] = relationship(back_populates="people")


class Incident(db.Model):
    """One episode of violence recorded on a case."""

    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    occurred_on: Mapped[date] = mapped_column(index=True)
    place: Mapped[IncidentPlace] = mapped_column(enum_type(IncidentPlace))
    reported_by: Mapped[Reporter] = mapped_column(enum_type(Reporter))
    bride_kidnapping: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    forced_marriage: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    early_marriage: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    #: Unified register of crimes and misdemeanours (ERPP) number, if any.
    crime_register_number: Mapped[str | None] = mapped_column(sa.String(40))
    #: Police information log number, if any.
    info_log_number: Mapped[str | None] = mapped_column(sa.String(40))
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    case: Mapped[Case] = relationship(back_populates="incidents")
    form_rows: Mapped[list[IncidentViolenceForm]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def forms(self) -> list[ViolenceForm]:
        """Forms of violence, in the order the enum lists them."""
        present = {row.form for row in self.form_rows}
        return [form for form in ViolenceForm if form in present]


class IncidentViolenceForm(db.Model):
    """One form of violence of an incident (a multi-select, one row each)."""

    __tablename__ = "incident_violence_forms"

    incident_id: Mapped[int] = mapped_column(sa.ForeignKey("incidents.id"), primary_key=True)
    form: Mapped[ViolenceForm] = mapped_column(enum_type(ViolenceForm), primary_key=True)


class TimelineEvent(db.Model):
    """Something that happened on a case, with who and which agency."""

    __tablename__ = "timeline_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[TimelineKind] = mapped_column(enum_type(TimelineKind, constrained=False))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agencies.id"))
    #: The other agency the event concerns (a referral's receiver, a new lead ...).
    related_agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agencies.id"))

    case: Mapped[Case] = relationship(back_populates="timeline")
    user: Mapped[User | None] = relationship()
    agency: Mapped[Agency | None] = relationship(foreign_keys=[agency_id])
    related_agency: Mapped[Agency | None] = relationship(foreign_keys=[related_agency_id])
