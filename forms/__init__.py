"""WTForms form classes, one module per area; all share :class:`BaseForm`."""
from flask_wtf import FlaskForm


class BaseForm(FlaskForm):
    """Every form posts with a CSRF token (Flask-WTF checks it)."""


class QueryForm(FlaskForm):
    """Forms read from the query string (filters): no CSRF, nothing changes."""

    class Meta:
        csrf = False
