"""Recording and withdrawing consent."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField

from coordination.consent.models import SHAREABLE_TYPES, ConsentScope
from forms import BaseForm
from forms.fields import INVALID_CHOICE, MultiCheckboxField, choices, enum_choices


class ConsentForm(BaseForm):
    """Several agency types and statistics in one submission (issue 15); the
    single ``scope``/``agency_type`` pair is still read (older pages, the API)."""

    agency_types = MultiCheckboxField(
        _l("Share with these types of agency"),
        choices=choices((t.value, t.lazy_label) for t in SHAREABLE_TYPES),
        invalid_choice_message=INVALID_CHOICE,
    )
    statistics = BooleanField(_l("Count the case in anonymized statistics"))
    scope = SelectField(
        _l("Consent to"), choices=[*choices([("", "—")]), *enum_choices(ConsentScope)],
        default="", invalid_choice_message=INVALID_CHOICE,
    )
    agency_type = SelectField(
        _l("Agency type (for sharing)"),
        choices=[*choices([("", "—")]),
                 *choices((t.value, t.lazy_label) for t in SHAREABLE_TYPES)],
        default="", invalid_choice_message=INVALID_CHOICE,
    )


class WithdrawConsentForm(BaseForm):
    """A button: the consent to withdraw is in the URL."""
