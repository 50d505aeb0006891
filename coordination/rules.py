"""The exception services raise when a change breaks one of their rules."""
from __future__ import annotations


class RuleError(ValueError):
    """A change was refused; nothing was added to the session.

    ``message`` says why, translated lazily; ``field`` names the form field
    to blame, if any, so that the view can show the message beside it.
    """

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
