"""The "print" section of the case page: the records the user may print."""
from __future__ import annotations

from coordination import policy
from coordination.cases.page import CaseSection


def _build(user, case, can):
    summary = can(policy.Action.PRINT_CASE_SUMMARY, case)
    letters = [r for r in case.referrals if can(policy.Action.PRINT_REFERRAL_LETTER, r)]
    orders = [o for o in case.protection_orders if can(policy.Action.PRINT_ORDER_RECORD, o)]
    if not (summary or letters or orders):
        return None
    return {"summary": summary, "letters": letters, "orders": orders}


# The referrals and orders are loaded by their own sections' options.
section = CaseSection("print", "printing/section.html", _build)
