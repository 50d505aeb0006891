"""The one family of refusals: what a service or a loader raises when a
request cannot be honoured.

They are mapped to responses in one place (:mod:`coordination.errors`): an
HTML page gets the error page or a message where the user acted, a JSON
client the same refusal as an RFC 9457 problem. Raising one anywhere in a
request also rolls its transaction back (:mod:`coordination.pipeline`).
"""
from __future__ import annotations

from werkzeug import exceptions


class Refusal(Exception):
    """A request that cannot be honoured; ``status`` is its HTTP status."""

    status = 400

    def __init__(self, message=None, field: str | None = None):
        super().__init__(message)
        #: Why, in the user's language (translated when raised, or lazily).
        self.message = message
        #: The form field to blame, if any.
        self.field = field


class NotFound(Refusal, exceptions.NotFound):
    """No such object, or one the user may not see: the two answer alike.

    Also Werkzeug's 404, so that code written against ``abort(404)`` (and
    its tests) keeps working."""

    status = 404


class Forbidden(Refusal, PermissionError):
    """The user's role or agency may not take this action (never shown
    before the object was found visible: invisible objects are 404)."""

    status = 403


class RuleBroken(Refusal, ValueError):
    """The change breaks a rule of the domain; nothing was changed.

    ``message`` is shown where the user acted (beside ``field`` when given).
    """

    status = 422


class Stale(RuleBroken):
    """The object changed since the user's page was loaded (its version)."""

    status = 409
