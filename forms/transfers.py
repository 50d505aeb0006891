"""Transfers of a case to another district: propose, accept, decline."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from forms import BaseForm
from forms.fields import INVALID_CHOICE, REQUIRED, optional_int


class ProposeTransferForm(BaseForm):
    """District choices are set from the services (every other active district)."""

    to_district = SelectField(_l("Move to district"), coerce=optional_int,
                              validators=[DataRequired(REQUIRED)],
                              invalid_choice_message=INVALID_CHOICE)
    note = StringField(_l("Note for the receiving committee (optional)"),
                       validators=[Optional(), Length(max=500)])
    version = IntegerField(widget=HiddenField.widget, validators=[InputRequired()])


class AcceptTransferForm(BaseForm):
    """Lead choices: the agencies serving the new district."""

    lead_agency = SelectField(_l("New lead agency"), coerce=int,
                              invalid_choice_message=INVALID_CHOICE)


class DeclineTransferForm(BaseForm):
    reason = StringField(_l("Reason for declining"),
                         validators=[DataRequired(_l("Give the reason for declining.")),
                                     Length(max=500)])
