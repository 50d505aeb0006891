"""Sending a referral and taking the steps of its life cycle."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, IntegerField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from coordination.referrals.models import LegalGround, Priority, ReferralService
from forms import BaseForm
from forms.fields import (
    INVALID_CHOICE,
    REQUIRED,
    choices,
    choose_first,
    enum_choices,
    optional_int,
)


def legal_ground_field() -> SelectField:
    """The legal ground for involving an agency without the survivor's consent
    (referrals, follow-ups, programmes, meeting decisions: one rule)."""
    return SelectField(
        _l("Legal ground, if the survivor has not consented"),
        choices=[*choices([("", "—")]), *enum_choices(LegalGround)],
        default="", invalid_choice_message=INVALID_CHOICE,
    )


def legal_ground_value(field: SelectField) -> LegalGround | None:
    """The chosen ground, or None."""
    return LegalGround(field.data) if field.data else None


class SendReferralForm(BaseForm):
    """The receiving agency's choices are set by the view from the policy."""

    to_agency = SelectField(_l("Refer to"), coerce=optional_int,
                            validators=[DataRequired(REQUIRED)],
                            invalid_choice_message=INVALID_CHOICE)
    service = SelectField(
        _l("Service asked for"), choices=choose_first(ReferralService), default="",
        validators=[DataRequired(_l("Choose the service."))],
        invalid_choice_message=INVALID_CHOICE,
    )
    #: Empty: derived from the service and the case's risk; the page shows
    #: the result with each service (``referrals.section.service_choices``).
    priority = SelectField(
        _l("Priority"),
        choices=[*choices([("", _l("As shown with the service"))]),
                 *enum_choices(Priority)],
        default="", invalid_choice_message=INVALID_CHOICE,
    )
    legal_ground = legal_ground_field()


class ReferralStepForm(BaseForm):
    """One step (accept, decline, start, complete, cancel, revoke) of a referral."""

    step = HiddenField(validators=[DataRequired()])
    version = IntegerField(widget=HiddenField.widget, validators=[InputRequired()])
    note = TextAreaField(
        _l("Reason or outcome"), validators=[Optional(), Length(max=500)],
        render_kw={"rows": 2},
    )
