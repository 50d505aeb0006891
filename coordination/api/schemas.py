"""The API's JSON shapes (marshmallow): they validate what comes in, write
what goes out, and are the OpenAPI document's components (apispec)."""
from __future__ import annotations

from datetime import UTC

from marshmallow import Schema, fields, validate

from coordination import public_ids
from coordination.followups.models import FollowUpStatus
from coordination.models_base import utcnow
from coordination.protection.models import OrderKind, OrderStatus
from coordination.referrals.models import Priority, ReferralService, ReferralStatus
from coordination.triage.models import ReportSource, ReportStatus


def _values(enum_cls) -> list[str]:
    return [member.value for member in enum_cls]


class Token(fields.Function):
    """A record's opaque public id (the same token as in the pages' URLs)."""

    def __init__(self, kind: str, attribute: str = "id", **kwargs):
        super().__init__(lambda obj: public_ids.encode(kind, getattr(obj, attribute)),
                         metadata={"description": f"the {kind}'s opaque id"}, **kwargs)
        self.metadata["type"] = "string"


class UtcDateTime(fields.DateTime):
    """A stored (naive, UTC) moment written as RFC 3339 with its offset."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return super()._serialize(value, attr, obj, **kwargs)


class Problem(Schema):
    """RFC 9457 problem details (application/problem+json)."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    field = fields.String()


class ReportIn(Schema):
    source = fields.String(required=True, validate=validate.OneOf(_values(ReportSource)))
    received_at = fields.AwareDateTime(required=True, metadata={
        "description": "when the call came in (ISO 8601 with a time zone)"})
    district_code = fields.String(required=True, validate=validate.Length(1, 32), metadata={
        "description": "the district's official classifier code"})
    summary = fields.String(required=True, validate=validate.Length(1, 2000))
    caller_contact = fields.String(load_default=None, allow_none=True,
                                   validate=validate.Length(max=200), metadata={
                                       "description": "a safe way to reach the caller, "
                                                      "only if they gave one"})


class ReportOut(Schema):
    id = Token("incoming_report")
    status = fields.Function(lambda r: r.status.value, metadata={
        "enum": _values(ReportStatus)})
    received_at = UtcDateTime()


class CaseOut(Schema):
    id = Token("case")
    reference = fields.String()
    status = fields.Function(lambda c: c.status.value)
    #: None when not assessed, or for a case the agency reads as a former
    #: party (``policy.case_reading``): the current level is not its to read.
    risk_level = fields.Method("_risk_level", allow_none=True)
    district_code = fields.Function(lambda c: c.district.code)
    lead_agency_code = fields.Function(lambda c: c.lead_agency.code)
    created_at = UtcDateTime()

    def __init__(self, *args, read_as_former_party: frozenset[int] = frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        self.read_as_former_party = read_as_former_party

    def _risk_level(self, case):
        if case.risk_level is None or case.id in self.read_as_former_party:
            return None
        return case.risk_level.value


class ReferralOut(Schema):
    id = Token("referral")
    case_id = Token("case", attribute="case_id")
    case_reference = fields.Function(lambda r: r.case.reference)
    from_agency_code = fields.Function(lambda r: r.from_agency.code)
    to_agency_code = fields.Function(lambda r: r.to_agency.code)
    service = fields.Function(lambda r: r.service.value, metadata={
        "enum": _values(ReferralService)})
    priority = fields.Function(lambda r: r.priority.value, metadata={"enum": _values(Priority)})
    status = fields.Function(lambda r: r.status.value, metadata={
        "enum": _values(ReferralStatus)})
    sent_at = UtcDateTime()
    respond_by = UtcDateTime()
    version = fields.Integer()


class NoteIn(Schema):
    note = fields.String(load_default=None, allow_none=True,
                         validate=validate.Length(max=500), metadata={
                             "description": "the reason (decline) or the outcome (complete)"})


class FollowUpOut(Schema):
    id = Token("follow_up")
    case_id = Token("case", attribute="case_id")
    case_reference = fields.Function(lambda f: f.case.reference)
    action = fields.String()
    due_on = fields.Date()
    status = fields.Function(lambda f: f.status.value, metadata={
        "enum": _values(FollowUpStatus)})
    version = fields.Integer()


class OrderStatusOut(Schema):
    """What a court needs of an order, and nothing of the people on its case."""

    number = Token("order")
    kind = fields.Function(lambda o: o.kind.value, metadata={"enum": _values(OrderKind)})
    status = fields.Function(lambda o: o.status(utcnow()).value,
                             metadata={"enum": _values(OrderStatus)})
    issued_at = UtcDateTime()
    valid_until = UtcDateTime(metadata={"description": "the end, an extension included"})
    extended_at = UtcDateTime(allow_none=True)
    revoked_at = UtcDateTime(allow_none=True)
    issuing_agency_code = fields.Function(lambda o: o.issuing_agency.code)
    issuing_agency_name = fields.Function(lambda o: o.issuing_agency.name)


class CellOut(Schema):
    value = fields.Float(allow_none=True)
    display = fields.String()
    suppressed = fields.Boolean()


class TableOut(Schema):
    key = fields.String()
    title = fields.String()
    row_heading = fields.String()
    columns = fields.List(fields.String())
    rows = fields.Function(lambda t: [{"label": label, "cells": CellOut(many=True).dump(cells)}
                                      for label, cells in t.rows])


class StatisticsOut(Schema):
    title = fields.String()
    tables = fields.List(fields.Nested(TableOut))


def page_schema(item: type[Schema]) -> type[Schema]:
    """The shape of one page of ``item``s."""
    return Schema.from_dict({
        "items": fields.List(fields.Nested(item), required=True),
        "next_cursor": fields.String(allow_none=True, required=True),
    }, name=f"{item.__name__}Page")
