"""Small helpers the views share."""
from __future__ import annotations

from flask import request
from flask_login import current_user

from coordination.accounts.models import User
from coordination.bounds import page_number
from coordination.extensions import db
from coordination.rules import RuleError


def acting_user() -> User:
    """The signed-in user as a model object (not the proxy), for services."""
    return current_user._get_current_object()


def current_page() -> int:
    """The ``page`` query parameter: 1 when absent, wrong or below 1, and
    never beyond ``bounds.MAX_PAGE`` (an offset must not overflow)."""
    return page_number(request.args.get("page"))


#: What :func:`save` returns when the service refused the change.
REFUSED = object()


def save(form, change, *args, **kwargs):
    """Run the service ``change``, then commit; or, when it refuses with a
    :class:`RuleError`, roll back and show why on ``form``.

    Returns what the service returned, or :data:`REFUSED`.
    """
    try:
        result = change(*args, **kwargs)
    except RuleError as error:
        db.session.rollback()
        form.add_error(error.field, error.message)
        return REFUSED
    db.session.commit()
    return result
