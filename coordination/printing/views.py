"""The printable records: each loaded through the policy, then authorized."""
from __future__ import annotations

from flask import Blueprint, Response

from coordination import policy
from coordination.cases.services import get_case_or_404
from coordination.decorators import section_required
from coordination.pipeline import acting_user, allow_write
from coordination.printing import records
from coordination.protection.services import get_order_or_404
from coordination.referrals.services import get_referral_or_404
from coordination.refusals import Forbidden

bp = Blueprint("printing", __name__)
cases_section = section_required(policy.Section.CASES)


def _pdf(data: bytes, name: str) -> Response:
    allow_write("audit of a printed record")
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{name}.pdf"',
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store",
    })


def _authorize(user, action: policy.Action, obj) -> None:
    if not policy.can(user, action, obj, case_visible=True):
        raise Forbidden()


@bp.route("/cases/<case:case_id>/summary.pdf")
@cases_section
def case_summary(case_id: int):
    user = acting_user()
    case = get_case_or_404(user, case_id, audit=False)
    _authorize(user, policy.Action.PRINT_CASE_SUMMARY, case)
    return _pdf(records.case_summary(user, case), "case-summary")


@bp.route("/referrals/<referral:referral_id>/letter.pdf")
@cases_section
def referral_letter(referral_id: int):
    user = acting_user()
    referral = get_referral_or_404(user, referral_id)
    _authorize(user, policy.Action.PRINT_REFERRAL_LETTER, referral)
    return _pdf(records.referral_letter(user, referral), "referral-letter")


@bp.route("/orders/<order:order_id>/record.pdf")
@cases_section
def order_record(order_id: int):
    user = acting_user()
    order = get_order_or_404(user, order_id)
    _authorize(user, policy.Action.PRINT_ORDER_RECORD, order)
    return _pdf(records.order_record(user, order), "protection-order")
