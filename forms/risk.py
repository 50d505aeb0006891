"""The risk checklist."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, TextAreaField
from wtforms.validators import Length, Optional

from coordination.cases.models import RiskLevel
from forms import BaseForm
from forms.fields import INVALID_CHOICE, MultiCheckboxField, choices, enum_choices


class RiskForm(BaseForm):
    """The questions (choices) are set by the view from the configuration."""

    yes = MultiCheckboxField(_l("Answer “yes” to"), invalid_choice_message=INVALID_CHOICE)
    raised_to = SelectField(
        _l("Raise the level by professional judgement"),
        choices=[*choices([("", "—")]), *enum_choices(RiskLevel)],
        default="", invalid_choice_message=INVALID_CHOICE,
    )
    reason = TextAreaField(_l("Why (required when raising)"),
                           validators=[Optional(), Length(max=500)], render_kw={"rows": 2})
