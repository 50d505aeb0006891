"""Protection orders: recording one, extending or revoking it, a violation."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from coordination.protection.models import PROHIBITION_LABELS, PROHIBITIONS, OrderKind
from forms import BaseForm
from forms.fields import (
    INVALID_CHOICE,
    MomentField,
    MultiCheckboxField,
    WholeNumberField,
    choices,
    enum_choices,
)

#: The orders' date-time fields are the shared local ones (the name is kept
#: for the forms that import it from here).
LocalMomentField = MomentField


class OrderForm(BaseForm):
    kind = SelectField(_l("Kind"), choices=enum_choices(OrderKind),
                       invalid_choice_message=INVALID_CHOICE)
    issued_at = LocalMomentField(
        _l("Issued at"), validators=[InputRequired(_l("Enter the date and time of issue."))])
    months = WholeNumberField(
        _l("Months (court restrictions)"),
        validators=[Optional(), NumberRange(min=1, max=12)])
    prohibitions = MultiCheckboxField(
        _l("Prohibitions"), choices=choices((name, PROHIBITION_LABELS[name])
                                            for name in PROHIBITIONS),
        validators=[DataRequired(_l("Choose at least one prohibition."))],
        invalid_choice_message=INVALID_CHOICE, default=["prohibits_violence"],
    )
    electronic_monitoring = BooleanField(_l("Electronic monitoring (court restrictions)"))


class OrderStepForm(BaseForm):
    step = HiddenField(validators=[DataRequired()])  #: "extend" or "revoke"
    #: Why the order is revoked (asked on the confirmation page; the service
    #: requires it for a revocation).
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=500)])
    version = IntegerField(widget=HiddenField.widget, validators=[InputRequired()])


class ViolationForm(BaseForm):
    occurred_at = LocalMomentField(
        _l("When did the violation happen?"),
        validators=[InputRequired(_l("Enter the date and time of the violation."))])
