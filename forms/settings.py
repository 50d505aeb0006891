"""The settings page: one whole-number field (or a checkbox for a yes/no
setting) per setting, built from the settings' own description
(``coordination.settings.services.SPECS``)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField
from wtforms.validators import InputRequired, NumberRange

from forms import BaseForm
from forms.fields import WholeNumberField


def _field(spec):
    if spec.kind is bool:
        return BooleanField(spec.label)
    return WholeNumberField(
        spec.label,
        validators=[
            InputRequired(_l("Enter a whole number.")),
            NumberRange(min=spec.minimum, max=spec.maximum,
                        message=_l("Enter a number from %(min)s to %(max)s.")),
        ],
        parse_message=_l("Enter a whole number."),
        render_kw={"min": spec.minimum, "max": spec.maximum},
    )


def settings_form_class(specs) -> type[BaseForm]:
    """A form class with a field named after each setting's key."""
    return type("SettingsForm", (BaseForm,), {spec.key: _field(spec) for spec in specs})
