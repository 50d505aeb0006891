"""What every template may use: labels, and which sections the user may open."""
from __future__ import annotations

import time

from flask import Flask, current_app, get_flashed_messages, request, session
from flask_login import current_user
from markupsafe import Markup

from coordination import policy
from coordination.cases.page import refused_actions
from coordination.counts import Capped, count_format
from coordination.followups.services import open_count
from coordination.labels import label
from coordination.notifications.services import unread_count
from coordination.pipeline import REFUSED_FORM
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


#: The session's copy of the badges: (user id, when counted, the counts).
BADGES_KEY = "badges"


def _badges() -> dict:
    """The navigation's three badges, counted up to a cap, and counted again
    only every ``BADGE_SECONDS`` or after the user changed something (a
    request other than GET): the session holds them in between, so a page
    view does not recount the agency's work (docs/PERFORMANCE.md)."""
    now = time.time()
    held = session.get(BADGES_KEY)
    if (held and held.get("user") == current_user.id
            and 0 <= now - held.get("at", 0) < current_app.config["BADGE_SECONDS"]):
        return {name: Capped(value, more) for name, (value, more) in held["counts"].items()}
    counts = {
        "referrals": awaiting_answer_count(current_user.agency_id),
        "followups": open_count(current_user.agency_id),
        "notifications": unread_count(current_user),
    }
    session[BADGES_KEY] = {"user": current_user.id, "at": now, "counts": {
        name: [int(value), bool(getattr(value, "more", False))]
        for name, value in counts.items()}}
    return counts


def _forget_badges() -> None:
    """A change (any request but GET or HEAD) may move a badge: count them again."""
    if request.method not in ("GET", "HEAD"):
        session.pop(BADGES_KEY, None)


def _navigation() -> dict:
    signed_in = current_user.is_authenticated
    allowed = {name: signed_in and policy.may_use(current_user, section)
               for name, section in NAVIGATION.items()}
    counts = _badges() if allowed["may_use_cases"] else {}
    return {**allowed, "inbox_counts": counts}


def shown_messages() -> list[tuple[str, str]]:
    """The flashed messages to show, with their categories (the name of a
    refused form is not one: see :data:`coordination.pipeline.REFUSED_FORM`)."""
    return [(category, message) for category, message
            in get_flashed_messages(with_categories=True) if category != REFUSED_FORM]


def open_if_refused(action: str) -> Markup:
    """The attributes of the ``<details>`` around the form posting to
    ``action``: open (and marked, for the script to put the messages in it)
    when a step posted from it was just refused; closed otherwise."""
    return Markup(" open data-refused") if action in refused_actions() else Markup("")


def open_on_demand(action: str) -> Markup:
    """The attributes of the ``<details>`` around a case page form drawn on
    demand (:func:`coordination.cases.page.form_wanted`): open, and marked
    as :func:`open_if_refused` marks it when its step was just refused."""
    return Markup(" open data-refused") if action in refused_actions() else Markup(" open")


def init_app(app: Flask) -> None:
    app.jinja_env.globals["label"] = label
    app.jinja_env.filters["countformat"] = count_format
    # A record's opaque token: the lists name the row a step was taken on by it.
    app.jinja_env.globals["token_of"] = token
    app.jinja_env.globals["shown_messages"] = shown_messages
    app.jinja_env.globals["open_if_refused"] = open_if_refused
    app.jinja_env.globals["open_on_demand"] = open_on_demand
    app.context_processor(_navigation)
    app.before_request(_forget_badges)
