"""What every template may use: labels, and which sections the user may open."""
from __future__ import annotations

from flask import Flask
from flask_login import current_user

from coordination import policy
from coordination.followups.services import open_count
from coordination.labels import label
from coordination.referrals.services import awaiting_answer_count


def _navigation() -> dict:
    signed_in = current_user.is_authenticated
    may_use_cases = signed_in and policy.may_use(current_user, policy.Section.CASES)
    counts = {}
    if may_use_cases:
        # The badges: two indexed counts per page.
        counts = {
            "referrals": awaiting_answer_count(current_user.agency_id),
            "followups": open_count(current_user.agency_id),
        }
    may_use_meetings = signed_in and policy.may_use(current_user, policy.Section.MEETINGS)
    return {"may_use_cases": may_use_cases, "may_use_meetings": may_use_meetings,
            "inbox_counts": counts}


def init_app(app: Flask) -> None:
    app.jinja_env.globals["label"] = label
    app.context_processor(_navigation)
