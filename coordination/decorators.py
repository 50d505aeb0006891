"""View decorators that apply the access policy to whole sections."""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user

from coordination import policy
from coordination.extensions import login_manager


def section_required(section: policy.Section):
    """Anonymous users go to the login page; roles outside ``section`` get 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not policy.may_use(current_user, section):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
