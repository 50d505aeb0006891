"""Personal data is declared on the columns (``info=personal(...)``), once.

The retention rule reads the declaration to know what to remove; redaction
and exports are to read it to know what to leave out. These tests fail when a
column that holds, or looks like it holds, a name, a phone, an e-mail, an
address or free text is not marked, so a new column cannot slip past them.
"""
from __future__ import annotations

import sqlalchemy as sa

import coordination.models  # noqa: F401  (the whole schema)
from coordination.extensions import db
from coordination.models_base import (
    DataSubject,
    PersonalData,
    PersonalKind,
    personal,
    personal_columns,
)

#: Text columns that hold no personal data, each with the reason. A new text
#: column must be marked personal or added here.
NOT_PERSONAL = {
    "meeting_documents.title": "the meeting's day, the type and extension; never the uploaded name",
    "territories.code": "the official classifier code of a territory",
    "territories.name_en": "the name of a district or village, public",
    "territories.name_ru": "the name of a district or village, public",
    "territories.name_ky": "the name of a district or village, public",
    "agencies.code": "an agency's short code",
    "agencies.name": "an institution's name, public",
    "users.language": "a language code (ky, ru, en)",
    "users.password_hash": "a hash, never shown; not a person's data as such",
    "recovery_codes.code_hash": "a hash of a one-time code",
    "order_checks.previous_hash": "a SHA-256 link of the check records' chain",
    "order_checks.hash": "a SHA-256 of a check record, for flask orders verify",
    "order_checks.note_sha256": "a SHA-256 of the check's note, kept when retention clears it",
    "user_sessions.token_hash": "a hash of a random session token, never shown",
    "two_factor_credentials.secret": "a secret key, guarded as a secret, not shown",
    "audit_events.object_type": "the name of a kind of record (case, referral)",
    "audit_events.fields": "the names of the fields a correction changed, never the values",
    "cases.reference": "a random public reference that reveals nothing about the person",
    "meetings.place": "where the committee meets (a room in the akimiat)",
    "settings.key": "the name of a setting",
    "setting_changes.key": "the name of a setting",
    "notifications.dedupe_key": "kind and record ids, built by the code",
    "case_documents.stored_name": "a random name in the document store, never the uploaded one",
    "case_documents.sha256": "a checksum of the stored file",
    "meeting_documents.stored_name": "a random name in the document store, never the uploaded one",
    "meeting_documents.sha256": "a checksum of the stored file",
    "agencies.services": "what an institution offers, public (the referral directory)",
    "agencies.phone": "an institution's public phone, not a person's",
    "agencies.address": "an institution's public address, not a person's",
    "agencies.hours": "an institution's opening hours",
    "agencies.languages": "the languages an institution works in",
    "meeting_attendees.position": "a post in an institution (\"district police inspector\")",
    "deliveries.webhook_target": "the configured name of a partner system",
    "deliveries.subject": "a content-free subject built by the code",
    "deliveries.body": "a content-free text or event built by the code, no name or case detail",
    "deliveries.last_error": "an error class or HTTP status, never the server's text",
    "api_clients.name": "a partner system's name, e.g. 'Police case register'",
    "api_clients.scopes": "scope names, built by the code",
    "api_clients.token_prefix": "the public half of a token: finds the row, opens nothing",
    "api_clients.token_hash": "a hash of a token's secret",
    "api_idempotency.key": "a retry key a partner system made up",
    "api_idempotency.request_hash": "a hash of the request",
    "api_idempotency.body": "the answer sent: record ids and statuses, no personal data",
    **{f"statistical_records.{name}": "a code of the statistics layer, never free text"
       for name in ("unit", "sex", "age_band", "relationship", "perpetrator_sex", "form",
                    "agency_type", "service", "outcome", "risk", "reporter", "repeat",
                    "in_time", "intimate", "monitored", "lag")},
    **{f"statistical_aggregates.{name}": "a grouping's name or a code of the statistics layer"
       for name in ("grouping", "a", "b", "c")},
}

#: What a column's name says about its content.
SUSPICIOUS_NAMES = ("name", "phone", "mail", "address", "note", "reason", "comment",
                    "description", "text", "outcome", "action", "place", "code", "number")

#: Exactly what the retention rule removed before it read the marks, plus the
#: notes of order checks (issue 19; cleared through protection_orders.case_id).
#: It changes only with a deliberate addition here.
CASE_PERSONAL = {
    "order_checks.note",
    "people.last_name", "people.first_name", "people.patronymic", "people.phone",
    "people.address", "cases.survivor_code", "incidents.crime_register_number",
    "incidents.info_log_number", "referrals.decline_reason", "referrals.outcome",
    "follow_ups.action", "follow_ups.closing_note", "risk_assessments.raise_reason",
    # Issue 16: the documents' names (their files go too), notes, safety plans.
    "case_documents.title", "case_notes.text", "case_note_revisions.text",
    "safety_plans.safe_contacts", "safety_plans.safe_places", "safety_plans.signals",
    "safety_plans.documents_ready", "safety_plans.children",
    # Added with the duplicate guard (issue 16): the folded name is the name.
    "people.name_key",
    # Transfers between districts (issue 16): what was typed about the move.
    "case_transfers.note", "case_transfers.decline_reason",
    # Full minutes (issue 16): what the committee said about a case.
    "agenda_items.discussion_note",
    # Issue 15: a correction's old and new values, removed with the rest.
    "timeline_events.detail",
    # Issue 18: the phone a survivor marked safe goes with the rest.
    "people.safe_phone",
    # Added with incoming reports (issue 18): removed with the case they became.
    "incoming_reports.summary", "incoming_reports.caller_contact",
}


def _name(column: sa.Column) -> str:
    return f"{column.table.name}.{column.name}"


def _free_text_columns() -> list[sa.Column]:
    """Columns that can hold typed text: strings and texts that are not enums."""
    return [column for table in db.metadata.sorted_tables for column in table.columns
            if isinstance(column.type, sa.String | sa.Text)
            and not isinstance(column.type, sa.Enum)]


def test_every_text_column_is_marked_personal_or_explained():
    unexplained = [_name(c) for c in _free_text_columns()
                   if "personal" not in c.info and _name(c) not in NOT_PERSONAL]
    assert unexplained == []


def test_columns_named_like_personal_data_are_marked_or_explained():
    """Any column but enums, numbers and moments (a JSON, a future type) whose name says
    name, phone, mail, address or free text."""
    suspicious = [c for table in db.metadata.sorted_tables for c in table.columns
                  if any(word in c.name for word in SUSPICIOUS_NAMES)
                  and not isinstance(c.type, sa.Enum | sa.Integer | sa.DateTime)]
    assert suspicious
    assert [_name(c) for c in suspicious
            if "personal" not in c.info and _name(c) not in NOT_PERSONAL] == []


def test_the_explained_exceptions_exist_and_are_not_marked():
    columns = {_name(c): c for c in _free_text_columns()}
    assert set(NOT_PERSONAL) <= set(columns)
    assert not [n for n in NOT_PERSONAL if "personal" in columns[n].info]


def test_the_case_personal_data_is_what_retention_always_removed():
    assert {_name(c) for c in personal_columns(db.metadata, DataSubject.CASE)} == CASE_PERSONAL


def test_every_case_personal_table_belongs_to_a_case():
    """Retention finds the rows by ``cases.id``, ``case_id``, or a foreign key
    to a table with ``case_id`` (order checks through their order)."""
    from coordination.maintenance.retention import case_parent

    for column in personal_columns(db.metadata, DataSubject.CASE):
        table = column.table
        assert (table.name == "cases" or "case_id" in table.c
                or case_parent(table) is not None), _name(column)


def test_staff_personal_data_is_marked_too():
    assert {_name(c) for c in personal_columns(db.metadata, DataSubject.STAFF)} == {
        "users.username", "users.full_name", "audit_events.ip_address",
        # Full minutes (issue 16): the staff present at a committee meeting.
        "meeting_attendees.name",
        "users.email", "users.phone"}


def test_the_marks_say_what_the_data_is():
    kinds = {_name(c): c.info["personal"].kind for c in personal_columns(db.metadata)}
    assert kinds["people.phone"] == PersonalKind.CONTACT
    assert kinds["people.address"] == PersonalKind.ADDRESS
    assert kinds["people.last_name"] == PersonalKind.NAME
    assert kinds["referrals.outcome"] == PersonalKind.FREE_TEXT
    assert personal(PersonalKind.NAME) == {
        "personal": PersonalData(PersonalKind.NAME, DataSubject.CASE)}
