"""What the steps on a case share: loading the case, going back to it."""
from __future__ import annotations

from flask import url_for

from coordination import policy
from coordination.accounts.models import User
from coordination.cases import services
from coordination.cases.models import Case


def load_case(user: User, case_id) -> Case:
    """The case for a step on it, through the policy (404 when invisible).

    Not audited as a view: the step audits itself."""
    return services.get_case_or_404(user, case_id, audit=False)


def to_case(anchor: str | None = None):
    """``back`` for a step: the case page of the object, at ``anchor``."""
    def back(user: User, obj) -> str:
        return url_for("cases.show_case", case_id=policy.case_of(obj).id, _anchor=anchor)

    return back


def to_case_or(anchor: str, endpoint: str):
    """``back`` for a step that may end the user's access to the case (a
    declined referral): the case page if they still see it, else ``endpoint``."""
    def back(user: User, obj) -> str:
        case = policy.case_of(obj)
        if policy.can(user, policy.Action.VIEW_CASE, case):
            return url_for("cases.show_case", case_id=case.id, _anchor=anchor)
        return url_for(endpoint)

    return back
