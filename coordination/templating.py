"""What every template may use: labels, and which sections the user may open."""
from __future__ import annotations

from flask import Flask
from flask_login import current_user

from coordination import policy
from coordination.followups.services import open_count
from coordination.labels import label
from coordination.notifications.services import unread_count
from coordination.public_ids import token
from coordination.referrals.services import awaiting_answer_count

#: Template variable -> the section it tells about.
NAVIGATION = {
    "may_use_cases": policy.Section.CASES,
    "may_use_administration": policy.Section.ADMINISTRATION,
    "may_use_agencies": policy.Section.AGENCIES,
    "may_use_reference_data": policy.Section.REFERENCE_DATA,
    "may_use_settings": policy.Section.SETTINGS,
    "may_use_directory": policy.Section.AGENCY_DIRECTORY,
    "may_use_meetings": policy.Section.MEETINGS,
    "may_use_reports": policy.Section.REPORTS,
}


def _navigation() -> dict:
    signed_in = current_user.is_authenticated
    allowed = {name: signed_in and policy.may_use(current_user, section)
               for name, section in NAVIGATION.items()}
    counts = {}
    if allowed["may_use_cases"]:
        # The badges: three indexed counts per page.
        counts = {
            "referrals": awaiting_answer_count(current_user.agency_id),
            "followups": open_count(current_user.agency_id),
            "notifications": unread_count(current_user),
        }
    return {**allowed, "inbox_counts": counts}


def init_app(app: Flask) -> None:
    app.jinja_env.globals["label"] = label
    # A record's opaque token: the lists name the row a step was taken on by it.
    app.jinja_env.globals["token_of"] = token
    app.context_processor(_navigation)
