"""Recording and withdrawing consent."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField

from coordination.consent.models import SHAREABLE_TYPES, ConsentScope
from forms import BaseForm
from forms.fields import INVALID_CHOICE, choices, enum_choices


class ConsentForm(BaseForm):
    scope = SelectField(
        _l("Consent to"), choices=enum_choices(ConsentScope),
        invalid_choice_message=INVALID_CHOICE,
    )
    agency_type = SelectField(
        _l("Agency type (for sharing)"),
        choices=[*choices([("", "—")]),
                 *choices((t.value, t.lazy_label) for t in SHAREABLE_TYPES)],
        default="", invalid_choice_message=INVALID_CHOICE,
    )


class WithdrawConsentForm(BaseForm):
    """A button: the consent to withdraw is in the URL."""
