"""Marking notifications read."""
from forms import BaseForm


class MarkReadForm(BaseForm):
    """A button; the notifications are the user's agency's unread ones."""
