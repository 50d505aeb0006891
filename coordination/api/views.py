"""/api/v1: the routes. Each loads through the policy (404), authorizes
(403) before reading the body, validates with a schema, acts through the same
service as the pages, and leaves the one commit to the pipeline."""
from __future__ import annotations

from datetime import UTC

import sqlalchemy as sa
from flask import Blueprint, jsonify, request
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from coordination import policy
from coordination.api import schemas
from coordination.api.http import (
    answer,
    authenticate,
    expected_version,
    idempotent,
    json_body,
    page_of,
    requires,
    with_etag,
)
from coordination.api.models import Scope
from coordination.api.openapi import document, operation
from coordination.cases.models import Case
from coordination.errors import problem
from coordination.extensions import csrf, db
from coordination.followups import services as follow_ups
from coordination.followups.models import FollowUp, FollowUpStatus
from coordination.pipeline import acting_user, authorize
from coordination.protection.models import ProtectionOrder
from coordination.referrals import services as referrals
from coordination.referrals.models import Referral
from coordination.refusals import Forbidden, NotFound, RuleBroken
from coordination.replica.routing import reads_from_replica
from coordination.territories.models import Territory, TerritoryLevel
from coordination.triage import services as triage
from coordination.triage.models import ReportSource

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # no cookies: a bearer token, which a browser never sends by itself


@bp.before_request
def _client():
    if request.endpoint != "api.openapi":
        authenticate()


@bp.route("/openapi.json")
def openapi():
    """The OpenAPI 3 document, generated from these routes and schemas."""
    return jsonify(document())


# --- cases ---------------------------------------------------------------------------


@bp.route("/cases")
@requires(Scope.READ_CASES)
@operation("List the cases the agency may see", response=schemas.page_schema(schemas.CaseOut),
           paged=True)
def list_cases():
    user = acting_user()
    query = policy.visible_cases(user).options(
        joinedload(Case.district), joinedload(Case.lead_agency))
    return page_of(query, Case.id, lambda cases: schemas.CaseOut(
        read_as_former_party=policy.cases_read_as_former_party(user, (c.id for c in cases))))


@bp.route("/cases/<case:case_id>")
@requires(Scope.READ_CASES)
@operation("One case the agency may see", response=schemas.CaseOut, etag=True)
def show_case(case_id):
    from coordination.cases.services import get_case_or_404

    user = acting_user()
    case = get_case_or_404(user, case_id)
    schema = schemas.CaseOut(read_as_former_party=frozenset(
        [case.id] if policy.case_reading(user, case) is policy.CaseReading.AS_FORMER_PARTY
        else []))
    return with_etag(answer(schema, case), case)


# --- incoming reports ------------------------------------------------------------------


@bp.route("/reports", methods=["POST"])
@requires(Scope.SUBMIT_REPORTS)
@idempotent
@operation("Record an incoming report into its district's triage queue",
           request=schemas.ReportIn, response=schemas.ReportOut, status=201)
def submit_report():
    data = json_body(schemas.ReportIn())
    district_id = db.session.scalar(sa.select(Territory.id).where(
        Territory.code == data["district_code"], Territory.level == TerritoryLevel.DISTRICT))
    if district_id is None:
        raise RuleBroken(_l("No district has this code."), field="district_code")
    received = data["received_at"].astimezone(UTC).replace(tzinfo=None)
    report = triage.record_report(acting_user(), triage.ReportData(
        source=ReportSource(data["source"]), received_at=received, district_id=district_id,
        summary=data["summary"], caller_contact=data["caller_contact"]))
    return answer(schemas.ReportOut(), report, 201)


# --- referrals --------------------------------------------------------------------------


def _referrals_query(direction: str):
    agency_id = acting_user().agency_id
    mine = (Referral.to_agency_id == agency_id if direction == "incoming"
            else Referral.from_agency_id == agency_id)
    return (sa.select(Referral).join(Referral.case)
            .where(mine, policy.case_visibility(acting_user()))
            .options(joinedload(Referral.case), joinedload(Referral.from_agency),
                     joinedload(Referral.to_agency)))


@bp.route("/referrals")
@requires(Scope.ANSWER_REFERRALS)
@operation("Referrals to the agency (incoming) or from it (outgoing)",
           response=schemas.page_schema(schemas.ReferralOut), paged=True,
           query={"direction": {"type": "string", "enum": ["incoming", "outgoing"],
                                "default": "incoming"}})
def list_referrals():
    direction = request.args.get("direction", "incoming")
    if direction not in ("incoming", "outgoing"):
        raise RuleBroken(_l("direction is incoming or outgoing."), field="direction")
    return page_of(_referrals_query(direction), Referral.id, schemas.ReferralOut())


@bp.route("/referrals/<referral:referral_id>")
@requires(Scope.ANSWER_REFERRALS)
@operation("One referral; its ETag is what If-Match names", response=schemas.ReferralOut,
           etag=True)
def show_referral(referral_id):
    referral = referrals.get_referral_or_404(acting_user(), referral_id)
    return with_etag(answer(schemas.ReferralOut(), referral), referral)


def _answer_referral(referral_id, step: str):
    user = acting_user()
    referral = referrals.get_referral_or_404(user, referral_id)
    authorize(user, referrals.TRANSITIONS[step].action, referral)
    version = expected_version(referral)
    data = json_body(schemas.NoteIn())
    referrals.move_referral(user, referral, step, version, data["note"])
    return with_etag(answer(schemas.ReferralOut(), referral), referral)


def _referral_step(step: str, summary: str):
    @requires(Scope.ANSWER_REFERRALS)
    @idempotent
    @operation(summary, request=schemas.NoteIn, response=schemas.ReferralOut, if_match=True)
    def view(referral_id):
        return _answer_referral(referral_id, step)

    view.__name__ = f"{step}_referral"
    bp.add_url_rule(f"/referrals/<referral:referral_id>/{step}", view_func=view,
                    methods=["POST"])


_referral_step("accept", "Accept a referral to the agency")
_referral_step("decline", "Decline a referral to the agency (note: the reason)")
_referral_step("complete", "Complete an accepted referral (note: the outcome)")


# --- follow-ups -------------------------------------------------------------------------


@bp.route("/follow-ups")
@requires(Scope.ANSWER_REFERRALS)
@operation("The agency's open follow-ups", response=schemas.page_schema(schemas.FollowUpOut),
           paged=True)
def list_follow_ups():
    user = acting_user()
    query = (sa.select(FollowUp).join(FollowUp.case)
             .where(FollowUp.owner_agency_id == user.agency_id,
                    FollowUp.status == FollowUpStatus.OPEN, policy.case_visibility(user))
             .options(joinedload(FollowUp.case)))
    return page_of(query, FollowUp.id, schemas.FollowUpOut())


@bp.route("/follow-ups/<follow_up:follow_up_id>/done", methods=["POST"])
@requires(Scope.ANSWER_REFERRALS)
@idempotent
@operation("Mark the agency's follow-up done (note: what was done)", request=schemas.NoteIn,
           response=schemas.FollowUpOut, if_match=True)
def follow_up_done(follow_up_id):
    user = acting_user()
    follow_up = follow_ups.get_follow_up_or_404(user, follow_up_id)
    authorize(user, policy.Action.COMPLETE_FOLLOW_UP, follow_up)
    version = expected_version(follow_up)
    data = json_body(schemas.NoteIn())
    follow_ups.close_follow_up(user, follow_up, True, version, data["note"])
    return with_etag(answer(schemas.FollowUpOut(), follow_up), follow_up)


# --- protection orders ------------------------------------------------------------------


@bp.route("/orders/<order:order_id>")
@requires(Scope.READ_ORDER_STATUS)
@operation("The status of a protection order by its number (a court's client, for the "
           "orders of its territory)", response=schemas.OrderStatusOut)
def order_status(order_id):
    user = acting_user()
    if not policy.may_use(user, policy.Section.ORDER_STATUS):
        raise Forbidden(_l("Only a court's client may read the status of protection orders."))
    order = db.session.scalar(policy.visible_order_statuses(user).where(
        ProtectionOrder.id == order_id).options(joinedload(ProtectionOrder.issuing_agency)))
    if order is None:
        raise NotFound()
    authorize(user, policy.Action.READ_ORDER_STATUS, order)
    return answer(schemas.OrderStatusOut(), order)


# --- statistics -------------------------------------------------------------------------


@bp.route("/statistics")
@requires(Scope.READ_STATISTICS)
@operation("The protected statistics (same disclosure control as the report page)",
           response=schemas.StatisticsOut,
           query={key: {"type": "string", "pattern": pattern} for key, pattern in (
               ("from", r"^\d{4}-\d{2}$"), ("to", r"^\d{4}-\d{2}$"),
               ("region", r"^[A-Za-z0-9-]{1,32}$"), ("district", r"^[A-Za-z0-9-]{1,32}$"))})
@reads_from_replica
def statistics():
    from coordination.models_base import utcnow
    from coordination.reports.build import build
    from coordination.reports.request import parse
    from coordination.reports.views import audit_request

    report_request = parse(acting_user(), request.args, utcnow().date())
    audit_request(report_request, "api", acting_user())
    if report_request.problems:
        # Answered, not raised: a raised refusal rolls the request back, and
        # with it the audit of the refused request (the page keeps it too).
        refusal = RuleBroken(" ".join(report_request.problems))
        return problem(refusal.status, refusal.message)
    report, _notes = build(report_request, utcnow().date())
    return answer(schemas.StatisticsOut(), report)

