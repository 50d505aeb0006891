"""Correctional programmes: the referral and its course."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, IntegerField, SelectField
from wtforms.validators import DataRequired, InputRequired

from forms import BaseForm
from forms.fields import INVALID_CHOICE, DayField
from forms.referrals import legal_ground_field


class ProgrammeForm(BaseForm):
    """Provider choices are set by the view from the policy."""

    provider = SelectField(_l("Programme run by"), coerce=int,
                           invalid_choice_message=INVALID_CHOICE)
    legal_ground = legal_ground_field()


class ProgrammeStepForm(BaseForm):
    step = HiddenField(validators=[DataRequired()])  #: start, complete, drop_out
    on = DayField(_l("On"), validators=[InputRequired(_l("Enter the date."))])
    version = IntegerField(widget=HiddenField.widget, validators=[InputRequired()])
