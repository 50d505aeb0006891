"""Cases, the people on them, incidents and the case timeline."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import pgettext
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.accounts.models import User
from coordination.agencies.models import Agency
from coordination.extensions import db
from coordination.models_base import LabelledEnum, PersonalKind, enum_type, personal, utcnow
from coordination.territories.models import Territory

if TYPE_CHECKING:
    from coordination.consent.models import ConsentRecord
    from coordination.followups.models import FollowUp
    from coordination.programmes.models import CorrectionalProgramme
    from coordination.protection.models import ProtectionOrder
    from coordination.referrals.models import Referral
    from coordination.risk.models import RiskAssessment
    from coordination.transfers.models import CaseTransfer


class CaseStatus(LabelledEnum):
    OPEN = "open", _l("Open")
    ACTIVE = "active", _l("Active")
    MONITORING = "monitoring", _l("Monitoring")
    CLOSED = "closed", _l("Closed")


class RiskLevel(LabelledEnum):
    STANDARD = "standard", _l("Standard")
    MEDIUM = "medium", _l("Medium")
    HIGH = "high", _l("High")


class PersonRole(LabelledEnum):
    SURVIVOR = "survivor", _l("Survivor")
    ALLEGED_PERPETRATOR = "alleged_perpetrator", _l("Alleged perpetrator")
    CHILD = "child", _l("Child")
    OTHER = "other", _l("Other person")


class Sex(LabelledEnum):
    FEMALE = "female", _l("Female")
    MALE = "male", _l("Male")


class Relationship(LabelledEnum):
    """Who the alleged perpetrator is to the survivor (the law's list of family
    members and persons equated to them)."""

    SPOUSE = "spouse", _l("Spouse")
    FORMER_SPOUSE = "former_spouse", _l("Former spouse")
    DE_FACTO_PARTNER = "de_facto_partner", _l("De facto partner")
    PARENT = "parent", _l("Parent")
    CHILD = "child", _l("Child")
    PARENT_IN_LAW = "parent_in_law", _l("Parent-in-law")
    OTHER_RELATIVE = "other_relative", _l("Other relative living together")
    CARER = "carer", _l("Carer")
    OTHER = "other", _l("Other")


class ViolenceForm(LabelledEnum):
    PHYSICAL = "physical", _l("Physical")
    PSYCHOLOGICAL = "psychological", _l("Psychological")
    ECONOMIC = "economic", _l("Economic")
    SEXUAL = "sexual", _l("Sexual")
    NEGLECT = "neglect", _l("Neglect")
    THREAT = "threat", _l("Threat")


class IncidentPlace(LabelledEnum):
    SHARED_HOME = "shared_home", _l("Shared home")
    SURVIVOR_HOME = "survivor_home", _l("Survivor's home")
    RELATIVES_HOME = "relatives_home", _l("Relatives' home")
    PUBLIC_PLACE = "public_place", _l("Public place")
    WORKPLACE = "workplace", _l("Workplace")
    OTHER = "other", _l("Other place")


class Reporter(LabelledEnum):
    """Who reported the incident."""

    SURVIVOR = "survivor", _l("The survivor")
    RELATIVE = "relative", _l("A relative")
    NEIGHBOUR = "neighbour", _l("A neighbour")
    SCHOOL = "school", _l("School")
    HEALTH_WORKER = "health_worker", _l("Health worker")
    POLICE_PATROL = "police_patrol", _l("Police patrol")
    CALL_102_112 = "call_102_112", _l("102 / 112 call")
    HOTLINE_117 = "hotline_117", _l("117 hotline")
    OTHER = "other", _l("Other")


class TimelineKind(LabelledEnum):
    CASE_REGISTERED = "case_registered", _l("Case registered")
    INCIDENT_RECORDED = "incident_recorded", _l("Incident recorded")
    STATUS_CHANGED = "status_changed", _l("Status changed")
    CASE_CLOSED = "case_closed", _l("Case closed")
    CASE_REOPENED = "case_reopened", _l("Case reopened")
    LEAD_AGENCY_CHANGED = "lead_agency_changed", _l("Lead agency changed")
    CONSENT_RECORDED = "consent_recorded", _l("Consent recorded")
    CONSENT_WITHDRAWN = "consent_withdrawn", _l("Consent withdrawn")
    REFERRAL_SENT = "referral_sent", _l("Referral sent")
    REFERRAL_ACCEPTED = "referral_accepted", _l("Referral accepted")
    REFERRAL_DECLINED = "referral_declined", _l("Referral declined")
    REFERRAL_STARTED = "referral_started", _l("Referral in progress")
    REFERRAL_COMPLETED = "referral_completed", _l("Referral completed")
    REFERRAL_CANCELLED = "referral_cancelled", _l("Referral cancelled")
    REFERRAL_REVOKED = "referral_revoked", _l("Referral revoked")
    FOLLOW_UP_ADDED = "follow_up_added", _l("Follow-up added")
    FOLLOW_UP_DONE = "follow_up_done", _l("Follow-up done")
    FOLLOW_UP_CANCELLED = "follow_up_cancelled", _l("Follow-up cancelled")
    FOLLOW_UP_REOPENED = "follow_up_reopened", _l("Follow-up reopened (marked done by mistake)")
    PERSON_ADDED = "person_added", _l("Person added")
    PERSON_CORRECTED = "person_corrected", _l("Person's details corrected")
    INCIDENT_CORRECTED = "incident_corrected", _l("Incident corrected")
    RISK_ASSESSED = "risk_assessed", _l("Risk assessed")
    ORDER_ISSUED = "order_issued", _l("Protection order recorded")
    ORDER_EXTENDED = "order_extended", _l("Protection order extended")
    ORDER_REVOKED = "order_revoked", _l("Protection order revoked")
    ORDER_VIOLATED = "order_violated", _l("Protection order violated")
    ORDER_CHECKED = "order_checked", _l("Protection order checked")
    CHECK_CORRECTED = "check_corrected", _l("Check of the order corrected")
    EXTENSION_ASKED = "extension_asked", _l("Extension of the order requested")
    EXTENSION_REFUSED = "extension_refused", _l("Extension of the order refused")
    PROGRAMME_REFERRED = "programme_referred", _l("Referred to a correctional programme")
    PROGRAMME_STARTED = "programme_started", _l("Correctional programme started")
    PROGRAMME_COMPLETED = "programme_completed", _l("Correctional programme completed")
    PROGRAMME_DROPPED_OUT = "programme_dropped_out", _l("Dropped out of the correctional programme")
    PUT_ON_AGENDA = "put_on_agenda", _l("Put on the committee meeting's agenda")
    TAKEN_OFF_AGENDA = "taken_off_agenda", _l("Taken off the committee meeting's agenda")
    DISCUSSED_AT_MEETING = "discussed_at_meeting", _l("Discussed at the committee meeting")
    DOCUMENT_ATTACHED = "document_attached", _l("Document attached")
    NOTE_WRITTEN = "note_written", _l("Note written")
    NOTE_CORRECTED = "note_corrected", _l("Note corrected")
    SAFETY_PLAN_WRITTEN = "safety_plan_written", _l("Safety plan written")
    SAFETY_PLAN_REVIEWED = "safety_plan_reviewed", _l("Safety plan reviewed")
    TRANSFER_PROPOSED = "transfer_proposed", _l("Transfer to another district proposed")
    TRANSFER_ACCEPTED = "transfer_accepted", _l("Transferred to another district")
    TRANSFER_DECLINED = "transfer_declined", _l("Transfer to another district declined")
    TRANSFER_CANCELLED = "transfer_cancelled", _l("Transfer to another district cancelled")
    REPORT_ATTACHED = "report_attached", _l("Incoming report attached")


class ClosureReason(LabelledEnum):
    SAFETY_PLAN_ACHIEVED = "safety_plan_achieved", _l("Safety plan achieved")
    MOVED_AWAY = "moved_away", _l("Moved away")
    SURVIVOR_DECLINED_SUPPORT = (
        "survivor_declined_support", _l("The survivor declined further support"))
    NO_FURTHER_CONTACT = "no_further_contact", _l("No further contact possible")
    TRANSFERRED = "transferred", _l("Transferred to another district")
    OTHER = "other", _l("Other reason")


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
        # Search by any part of a reference: a trigram index on PostgreSQL
        # (pg_trgm, created by the migration); a plain index elsewhere.
        sa.Index("ix_cases_reference_trgm", "reference", postgresql_using="gin",
                 postgresql_ops={"reference": "gin_trgm_ops"}),
        # The start of a survivor code, likewise (SQLite searches its FTS5
        # table instead: migration 9d3f7a2c5e18, coordination/cases/search.py).
        sa.Index("ix_cases_survivor_code_trgm", "survivor_code", postgresql_using="gin",
                 postgresql_ops={"survivor_code": "gin_trgm_ops"}),
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
    survivor_code: Mapped[str] = mapped_column(
        sa.String(16), index=True, info=personal(PersonalKind.IDENTIFIER))
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
    transfers: Mapped[list[CaseTransfer]] = relationship(
        back_populates="case", order_by="CaseTransfer.id"
    )

    def __repr__(self) -> str:
        return f"<Case {self.reference}>"


class Person(db.Model):
    """Someone on a case. ``phone`` and ``address`` are restricted fields."""

    __tablename__ = "people"
    __table_args__ = (
        # The duplicate guard: same birth year, then the folded name's prefix.
        sa.Index("ix_people_birth_year_name_key", "birth_year", "name_key"),
        # The name search: any part of the folded name (trigram on PostgreSQL).
        sa.Index("ix_people_name_key_trgm", "name_key", postgresql_using="gin",
                 postgresql_ops={"name_key": "gin_trgm_ops"}),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    role: Mapped[PersonRole] = mapped_column(enum_type(PersonRole))
    last_name: Mapped[str] = mapped_column(sa.String(100), info=personal(PersonalKind.NAME))
    first_name: Mapped[str] = mapped_column(sa.String(100), info=personal(PersonalKind.NAME))
    patronymic: Mapped[str | None] = mapped_column(
        sa.String(100), info=personal(PersonalKind.NAME))
    #: Surname, given name and patronymic folded (coordination/cases/folding.py):
    #: what the duplicate guard and the name search compare. Kept by the
    #: services that write names; never shown.
    name_key: Mapped[str | None] = mapped_column(
        sa.String(310), info=personal(PersonalKind.NAME))
    sex: Mapped[Sex] = mapped_column(enum_type(Sex))
    birth_year: Mapped[int | None]
    disability: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    #: For an alleged perpetrator: who they are to the survivor.
    relationship_to_survivor: Mapped[Relationship | None] = mapped_column(
        enum_type(Relationship)
    )
    #: Restricted: shown only where the access policy allows.
    phone: Mapped[str | None] = mapped_column(
        sa.String(40), info=personal(PersonalKind.CONTACT))
    #: Restricted: a phone the survivor marked safe for content-free messages
    #: ("there is news, call when you can"), sent only with her consent
    #: (``ConsentScope.SAFE_CONTACT``); may be the same number as ``phone``.
    safe_phone: Mapped[str | None] = mapped_column(
        sa.String(40), info=personal(PersonalKind.CONTACT))
    #: Restricted: current address or shelter.
    address: Mapped[str | None] = mapped_column(
        sa.String(300), info=personal(PersonalKind.ADDRESS))
    #: Corrections are saved against the version the page showed (issue 15).
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    case: Mapped[Case] = relationship(back_populates="people")

    @property
    def child_witness(self) -> bool:
        """A child recorded as a survivor because they witnessed the violence
        (the law counts them as survivors): every survivor after the first,
        the one the case was registered for."""
        if self.role != PersonRole.SURVIVOR or self.case is None:
            return False
        first = next((p for p in self.case.people if p.role == PersonRole.SURVIVOR), None)
        return first is not None and first is not self

    @property
    def role_label(self) -> str:
        """The role in the grammatical gender of the person's sex: Russian has
        «пострадавшая» for a woman or a girl; Kyrgyz, without grammatical
        gender, keeps «жабыр тарткан адам» and tells a girl from a boy
        («кыз бала», «уул бала»)."""
        return gendered_role(self.role, self.sex)

    @property
    def relationship_label(self) -> str:
        """Who the person is to the survivor, in the words of their sex."""
        if self.relationship_to_survivor is None:
            return ""
        return gendered_relationship(self.relationship_to_survivor, self.sex)


def gendered_role(role: PersonRole, sex: Sex | None) -> str:
    """``role``'s label for a woman or a man; the neutral label otherwise.
    (The alleged perpetrator is «лицо, совершившее насилие» whatever the
    sex: the glossary's term agrees with «лицо».)"""
    if sex == Sex.FEMALE:
        labels = {PersonRole.SURVIVOR: pgettext("female", "Survivor"),
                  PersonRole.CHILD: pgettext("female", "Child")}
    elif sex == Sex.MALE:
        labels = {PersonRole.SURVIVOR: pgettext("male", "Survivor"),
                  PersonRole.CHILD: pgettext("male", "Child")}
    else:
        labels = {}
    return labels.get(role) or str(role.label)


def gendered_relationship(relationship: Relationship, sex: Sex | None) -> str:
    """``relationship``'s label for a woman or a man (a wife, a husband)."""
    if sex == Sex.FEMALE:
        labels = {Relationship.SPOUSE: pgettext("her relationship", "Spouse"),
                  Relationship.FORMER_SPOUSE: pgettext("her relationship", "Former spouse"),
                  Relationship.DE_FACTO_PARTNER: pgettext("her relationship", "De facto partner"),
                  Relationship.PARENT: pgettext("her relationship", "Parent"),
                  Relationship.CHILD: pgettext("her relationship", "Child"),
                  Relationship.PARENT_IN_LAW: pgettext("her relationship", "Parent-in-law")}
    elif sex == Sex.MALE:
        labels = {Relationship.SPOUSE: pgettext("his relationship", "Spouse"),
                  Relationship.FORMER_SPOUSE: pgettext("his relationship", "Former spouse"),
                  Relationship.DE_FACTO_PARTNER: pgettext("his relationship", "De facto partner"),
                  Relationship.PARENT: pgettext("his relationship", "Parent"),
                  Relationship.CHILD: pgettext("his relationship", "Child"),
                  Relationship.PARENT_IN_LAW: pgettext("his relationship", "Parent-in-law")}
    else:
        labels = {}
    return labels.get(relationship) or str(relationship.label)


def gendered_reporter(reporter: Reporter, survivor_sex: Sex | None) -> str:
    """Who reported, where it was the survivor herself or himself."""
    if reporter == Reporter.SURVIVOR and survivor_sex == Sex.FEMALE:
        return pgettext("female", "The survivor")
    if reporter == Reporter.SURVIVOR and survivor_sex == Sex.MALE:
        return pgettext("male", "The survivor")
    return str(reporter.label)


class Incident(db.Model):
    """One episode of violence recorded on a case."""

    __tablename__ = "incidents"
    __table_args__ = (
        # Search by any part of a police register or information-log number.
        sa.Index("ix_incidents_crime_register_number_trgm", "crime_register_number",
                 postgresql_using="gin",
                 postgresql_ops={"crime_register_number": "gin_trgm_ops"}),
        sa.Index("ix_incidents_info_log_number_trgm", "info_log_number",
                 postgresql_using="gin", postgresql_ops={"info_log_number": "gin_trgm_ops"}),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    occurred_on: Mapped[date] = mapped_column(index=True)
    place: Mapped[IncidentPlace] = mapped_column(enum_type(IncidentPlace))
    reported_by: Mapped[Reporter] = mapped_column(enum_type(Reporter))
    bride_kidnapping: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    forced_marriage: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    early_marriage: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    #: Unified register of crimes and misdemeanours (ERPP) number, if any.
    crime_register_number: Mapped[str | None] = mapped_column(
        sa.String(40), info=personal(PersonalKind.IDENTIFIER))
    #: Police information log number, if any.
    info_log_number: Mapped[str | None] = mapped_column(
        sa.String(40), info=personal(PersonalKind.IDENTIFIER))
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    case: Mapped[Case] = relationship(back_populates="incidents")
    #: Whose agency may correct the incident besides the case's keepers (issue 15).
    recorded_by: Mapped[User] = relationship()
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
    #: What a correction changed, "field: old → new" lines (issue 15): personal
    #: data, shown only with the case (restricted fields only to who may see
    #: them), removed by retention with the rest of the case's personal data.
    detail: Mapped[str | None] = mapped_column(sa.Text, info=personal(PersonalKind.FREE_TEXT))

    case: Mapped[Case] = relationship(back_populates="timeline")
    user: Mapped[User | None] = relationship()
    agency: Mapped[Agency | None] = relationship(foreign_keys=[agency_id])
    related_agency: Mapped[Agency | None] = relationship(foreign_keys=[related_agency_id])
