"""What every template may use: labels, and which sections the user may open."""
from __future__ import annotations

from flask import Flask
from flask_login import current_user

from coordination import policy
from coordination.labels import label


def _navigation() -> dict:
    signed_in = current_user.is_authenticated
    return {"may_use_cases": signed_in and policy.may_use(current_user, policy.Section.CASES)}


def init_app(app: Flask) -> None:
    app.jinja_env.globals["label"] = label
    app.context_processor(_navigation)
