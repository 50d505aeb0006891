"""Small helpers the views share."""
from __future__ import annotations

from flask import request
from flask_login import current_user

from coordination.accounts.models import User


def acting_user() -> User:
    """The signed-in user as a model object (not the proxy), for services."""
    return current_user._get_current_object()


def current_page() -> int:
    """The ``page`` query parameter: 1 when absent, wrong or below 1."""
    return max(request.args.get("page", 1, type=int), 1)
