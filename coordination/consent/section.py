"""The consent section of the case page."""
from __future__ import annotations

from sqlalchemy.orm import selectinload

from coordination import policy
from coordination.cases.models import Case
from coordination.cases.page import CaseSection
from forms.consent import ConsentForm, WithdrawConsentForm


def _build(user, case, can):
    if not can(policy.Action.READ_WHOLE_CASE, case):
        return None
    editable = can(policy.Action.EDIT_CASE, case)
    return {"form": ConsentForm(formdata=None) if editable else None,
            "withdraw_form": WithdrawConsentForm(formdata=None) if editable else None}


section = CaseSection("consent", "consent/section.html", _build,
                      options=(selectinload(Case.consents),))
