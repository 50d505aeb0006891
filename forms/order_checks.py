"""Checks of protection orders: recording (or correcting) one, answering an
extension request."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from coordination.order_checks.models import CheckMethod, CheckOutcome, ExtensionAnswer
from forms import BaseForm
from forms.fields import INVALID_CHOICE, choices, enum_choices
from forms.protection import LocalMomentField


class CheckForm(BaseForm):
    method = SelectField(_l("How"), choices=enum_choices(CheckMethod),
                         invalid_choice_message=INVALID_CHOICE)
    outcome = SelectField(_l("Outcome"), choices=enum_choices(CheckOutcome),
                          invalid_choice_message=INVALID_CHOICE)
    stated_at = LocalMomentField(
        _l("When did the check take place?"),
        validators=[InputRequired(_l("Enter the date and time of the check."))])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=500)])
    #: A correction names the record it corrects (choices: this order's checks).
    corrects = SelectField(_l("Corrects the check of"), choices=choices([("", "—")]),
                           validate_choice=True, invalid_choice_message=INVALID_CHOICE)


class ExtensionAnswerForm(BaseForm):
    answer = SelectField(_l("Answer"), choices=enum_choices(ExtensionAnswer),
                         invalid_choice_message=INVALID_CHOICE)
