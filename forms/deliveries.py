"""A user's own addresses for deliveries."""
from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import Length, Optional

from forms import BaseForm


class ContactsForm(BaseForm):
    email = StringField(_l("E-mail"), validators=[Optional(), Length(max=254)],
                        render_kw={"autocomplete": "email", "inputmode": "email"})
    phone = StringField(_l("Mobile phone"), validators=[Optional(), Length(max=40)],
                        render_kw={"autocomplete": "tel", "inputmode": "tel"})
