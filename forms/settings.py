"""The settings page: one whole-number field per setting, built from the
settings' own description (``coordination.settings.services.SPECS``)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms.validators import InputRequired, NumberRange

from forms import BaseForm
from forms.fields import WholeNumberField


def settings_form_class(specs) -> type[BaseForm]:
    """A form class with a field named after each setting's key."""
    fields = {
        spec.key: WholeNumberField(
            spec.label,
            validators=[
                InputRequired(_l("Enter a whole number.")),
                NumberRange(min=spec.minimum, max=spec.maximum,
                            message=_l("Enter a number from %(min)s to %(max)s.")),
            ],
            parse_message=_l("Enter a whole number."),
            render_kw={"min": spec.minimum, "max": spec.maximum},
        )
        for spec in specs
    }
    return type("SettingsForm", (BaseForm,), fields)
