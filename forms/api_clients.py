"""Registering an API client (the agencies are set by the view from the policy)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from coordination.api.models import Scope
from forms import BaseForm
from forms.fields import INVALID_CHOICE, MultiCheckboxField, enum_choices


class ApiClientForm(BaseForm):
    name = StringField(_l("Name of the partner system"),
                       validators=[DataRequired(), Length(max=120)])
    agency = SelectField(_l("Acts as the agency"), coerce=int,
                         invalid_choice_message=INVALID_CHOICE)
    scopes = MultiCheckboxField(_l("Permissions"), choices=enum_choices(Scope),
                                invalid_choice_message=INVALID_CHOICE)
    lifetime_days = IntegerField(_l("Token valid for (days)"), default=365,
                                 validators=[InputRequired(), NumberRange(1, 730)])
