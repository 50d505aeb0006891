"""The audit log's filters (a query form: reading changes nothing)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional

from forms import QueryForm
from forms.fields import INVALID_CHOICE, DayField


class AuditFilterForm(QueryForm):
    """Action choices are set by the view for the viewer."""

    user = StringField(_l("Username"), validators=[Optional(), Length(max=100)])
    action = SelectField(_l("Action"), default="", invalid_choice_message=INVALID_CHOICE)
    date_from = DayField(_l("From"), validators=[Optional()])
    date_to = DayField(_l("To"), validators=[Optional()])
