"""Audit events: who did what to which object, never the content itself."""
from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.extensions import db
from coordination.models_base import DataSubject, PersonalKind, enum_type, personal, utcnow


class AuditAction(enum.StrEnum):
    LOGIN_SUCCEEDED = "login_succeeded"
    LOGIN_FAILED = "login_failed"
    LOGIN_LOCKED = "login_locked"
    #: A wrong two-factor code after a right password (counts towards the lock).
    LOGIN_CODE_FAILED = "login_code_failed"
    #: Signed in with the password and a TOTP code.
    LOGIN_TWO_FACTOR_SUCCEEDED = "login_two_factor_succeeded"
    #: Signed in with the password and a one-time recovery code.
    LOGIN_RECOVERY_CODE_USED = "login_recovery_code_used"
    LOGOUT = "logout"
    SESSION_EXPIRED = "session_expired"
    CASE_CREATED = "case_created"
    #: A case opened by a user of an agency that does not lead it.
    CASE_VIEWED = "case_viewed"
    #: The duplicate guard compared a new survivor with the registered ones;
    #: the object is a case it matched (one entry per match, none: no object).
    DUPLICATE_CHECKED = "duplicate_checked"
    CASE_STATUS_CHANGED = "case_status_changed"
    CASE_LEAD_CHANGED = "case_lead_changed"
    #: A transfer to another district: proposed, accepted, declined, cancelled.
    TRANSFER_CHANGED = "transfer_changed"
    CONSENT_RECORDED = "consent_recorded"
    CONSENT_WITHDRAWN = "consent_withdrawn"
    REFERRAL_SENT = "referral_sent"
    #: A referral sent without consent on a recorded legal ground.
    CONSENT_OVERRIDDEN = "consent_overridden"
    REFERRAL_CHANGED = "referral_changed"
    FOLLOW_UP_ADDED = "follow_up_added"
    FOLLOW_UP_CLOSED = "follow_up_closed"
    #: A "done" undone within the undo window (a mistaken click).
    FOLLOW_UP_REOPENED = "follow_up_reopened"
    PERSON_ADDED = "person_added"
    #: Field names in ``fields``; the old and new values are in the case's timeline.
    PERSON_CORRECTED = "person_corrected"
    INCIDENT_RECORDED = "incident_recorded"
    INCIDENT_CORRECTED = "incident_corrected"
    RISK_ASSESSED = "risk_assessed"
    ORDER_RECORDED = "order_recorded"
    ORDER_CHANGED = "order_changed"
    VIOLATION_RECORDED = "violation_recorded"
    ORDER_CHECKED = "order_checked"
    EXTENSION_ANSWERED = "extension_answered"
    PROGRAMME_CHANGED = "programme_changed"
    MEETING_SCHEDULED = "meeting_scheduled"
    MEETING_RESCHEDULED = "meeting_rescheduled"
    MEETING_CANCELLED = "meeting_cancelled"
    MEETING_HELD = "meeting_held"
    #: The automatic proposal ran (cases added to the agenda, reasons updated).
    AGENDA_PROPOSED = "agenda_proposed"
    AGENDA_ITEM_ADDED = "agenda_item_added"
    AGENDA_ITEM_REMOVED = "agenda_item_removed"
    ATTENDANCE_RECORDED = "attendance_recorded"
    #: A discussion note on an agenda item (the minutes' record of a case).
    MEETING_NOTE_RECORDED = "meeting_note_recorded"
    #: The agenda PDF was printed before the meeting (it lists references).
    AGENDA_PRINTED = "agenda_printed"
    #: The minutes PDF was produced (it lists case references).
    MINUTES_PRINTED = "minutes_printed"
    USER_CREATED = "user_created"
    # An action name, not a secret.
    PASSWORD_SET = "password_set"  # nosec B105
    DEMO_DATA_LOADED = "demo_data_loaded"
    # Administration: every change to accounts, agencies, reference data, settings.
    USER_UPDATED = "user_updated"
    #: A change of role or agency: it changes what the user may see.
    USER_ROLE_CHANGED = "user_role_changed"
    USER_AGENCY_CHANGED = "user_agency_changed"
    USER_DEACTIVATED = "user_deactivated"
    USER_REACTIVATED = "user_reactivated"
    USER_UNLOCKED = "user_unlocked"
    #: The agency head released a held account and printed its credential.
    USER_CONFIRMED = "user_confirmed"
    #: Every open session of the user ended by an administrator or agency head.
    USER_SESSIONS_ENDED = "user_sessions_ended"
    #: A temporary password was issued by an administrator or agency head.
    # An action name, not a secret.
    PASSWORD_RESET = "password_reset"  # nosec B105
    #: The user chose a new password themselves.
    # An action name, not a secret.
    PASSWORD_CHANGED = "password_changed"  # nosec B105
    LANGUAGE_CHANGED = "language_changed"
    #: Two-factor sign-in: turned on by the user, off by the user, reset by an
    #: administrator or agency head (a lost phone), new recovery codes.
    TWO_FACTOR_ENABLED = "two_factor_enabled"
    TWO_FACTOR_DISABLED = "two_factor_disabled"
    TWO_FACTOR_RESET = "two_factor_reset"
    RECOVERY_CODES_RENEWED = "recovery_codes_renewed"
    #: One CSV import; each user it created has its own ``user_created``.
    USERS_IMPORTED = "users_imported"
    AGENCY_CREATED = "agency_created"
    AGENCY_UPDATED = "agency_updated"
    AGENCY_DEACTIVATED = "agency_deactivated"
    AGENCY_REACTIVATED = "agency_reactivated"
    TERRITORY_RENAMED = "territory_renamed"
    MUNICIPALITY_ADDED = "municipality_added"
    MUNICIPALITY_RETIRED = "municipality_retired"
    MUNICIPALITY_REINSTATED = "municipality_reinstated"
    #: A population figure added or changed by hand (object: the figure).
    POPULATION_CHANGED = "population_changed"
    #: A CSV file of population figures imported (one entry for the file).
    POPULATION_IMPORTED = "population_imported"
    #: The object is the ``setting_changes`` row holding the old and new value.
    SETTING_CHANGED = "setting_changed"
    DOCUMENT_ATTACHED = "document_attached"
    #: A document's bytes were sent to a user (object: the document).
    DOCUMENT_DOWNLOADED = "document_downloaded"
    NOTE_WRITTEN = "note_written"
    NOTE_CORRECTED = "note_corrected"
    SAFETY_PLAN_SAVED = "safety_plan_saved"
    #: Printable documents produced (object: the case, referral or order).
    CASE_SUMMARY_PRINTED = "case_summary_printed"
    REFERRAL_LETTER_PRINTED = "referral_letter_printed"
    ORDER_RECORD_PRINTED = "order_record_printed"
    #: The retention rule removed the personal data of a long-closed case.
    CASE_ANONYMIZED = "case_anonymized"
    #: ... and of an incoming report closed without a case.
    REPORT_ANONYMIZED = "report_anonymized"
    #: An administrator put a failed delivery back in the outbox, or discarded it.
    DELIVERY_RETRIED = "delivery_retried"
    DELIVERY_DISCARDED = "delivery_discarded"
    #: A user changed their own e-mail or phone for deliveries (the values are not kept).
    CONTACTS_CHANGED = "contacts_changed"
    #: Incoming hotline and police reports: recorded, then triaged.
    REPORT_RECORDED = "report_recorded"
    REPORT_TRIAGED = "report_triaged"
    #: Anonymized statistics asked for: the page or a download, with its parameters.
    STATISTICS_REQUESTED = "statistics_requested"
    #: API clients: registered, token rotated, revoked (an administrator or head).
    API_CLIENT_REGISTERED = "api_client_registered"
    API_CLIENT_ROTATED = "api_client_rotated"
    API_CLIENT_REVOKED = "api_client_revoked"
    #: One call of an API client (its service user names the client).
    API_CALL = "api_call"


#: What the administrator's audit view shows: accounts, agencies, reference
#: data and settings; nothing done on a case.
ACCOUNT_ACTIONS = frozenset(
    action for action in AuditAction
    if action.value.startswith(("login_", "user", "password_", "agency_", "territory_",
                                "municipality_", "population_", "setting_", "session_",
                                "language_", "two_factor_", "recovery_codes_"))
    # Statistics requests hold no case data: the administrator watches them
    # for unusual querying (differencing attempts) with the sign-ins.
    or action in (AuditAction.LOGOUT, AuditAction.STATISTICS_REQUESTED)
)


class AuditEvent(db.Model):
    """One audited action. Rows are never updated or deleted.

    The database refuses UPDATE and DELETE with triggers (see the migration),
    and the ORM refuses them before they reach it.
    """

    __tablename__ = "audit_events"
    __table_args__ = (
        # The viewer's filters (an agency head's agency, a user, an action),
        # each with the newest first.
        sa.Index("ix_audit_events_agency_id_at", "agency_id", "at"),
        sa.Index("ix_audit_events_user_id_at", "user_id", "at"),
        sa.Index("ix_audit_events_action_at", "action", "at"),
        # "Who opened this file": the events about one object, newest first.
        sa.Index("ix_audit_events_object_type_object_id_at", "object_type", "object_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agencies.id"))
    #: Client address as seen by the app (the proxy's, unless ProxyFix is set).
    ip_address: Mapped[str | None] = mapped_column(
        sa.String(45), info=personal(PersonalKind.IDENTIFIER, DataSubject.STAFF))
    action: Mapped[AuditAction] = mapped_column(
        enum_type(AuditAction, constrained=False)
    )
    object_type: Mapped[str | None] = mapped_column(sa.String(32))
    object_id: Mapped[int | None]
    #: The names of the fields a correction changed (never their values).
    fields: Mapped[str | None] = mapped_column(sa.String(300))

    #: For the audit viewer only (read-only, like the rows).
    user = relationship("User", viewonly=True)
    agency = relationship("Agency", viewonly=True)


class AuditLogIsAppendOnly(Exception):
    """Raised when code tries to change or delete an audit event."""


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _refuse_change(_mapper, _connection, target):
    raise AuditLogIsAppendOnly(f"audit event {target.id} cannot be changed")
