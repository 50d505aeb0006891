"""The safety plan."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, IntegerField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from forms import BaseForm
from forms.fields import DayField


def _part(label):
    return TextAreaField(label, validators=[Optional(), Length(max=2000)], render_kw={"rows": 2})


class SafetyPlanForm(BaseForm):
    safe_contacts = _part(_l("Safe contacts (whom she can call)"))
    safe_places = _part(_l("Safe places (where she can go)"))
    signals = _part(_l("Signals (agreed words or signs of danger)"))
    documents_ready = _part(_l("Documents kept ready"))
    children = _part(_l("The children (who takes them, what they know)"))
    review_on = DayField(_l("Review on"), validators=[InputRequired(_l("Enter the review date."))])
    version = IntegerField(widget=HiddenField.widget, validators=[Optional()])
