"""The consent section of the case page."""
from __future__ import annotations

from sqlalchemy.orm import selectinload

from coordination import policy
from coordination.cases.models import Case
from coordination.cases.page import CaseSection, form_wanted
from forms.consent import ConsentForm


def _build(user, case, can):
    if not can(policy.Action.READ_WHOLE_CASE, case):
        return None
    editable = can(policy.Action.EDIT_CASE, case)
    # The form only when drawn (form_wanted); a withdrawal is a button each.
    return {"may_open": {"record-consent"} if editable else set(),
            "form": ConsentForm(formdata=None) if editable and form_wanted(
                "record-consent", "consent.add", case) else None,
            "may_withdraw": editable}


section = CaseSection("consent", "consent/section.html", _build,
                      options=(selectinload(Case.consents),))
