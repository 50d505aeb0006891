"""Reference data: territory names, new municipalities."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from forms import BaseForm

NAME = [DataRequired(_l("Enter the name in every language.")), Length(max=120)]


class TerritoryNamesForm(BaseForm):
    name_ky = StringField(_l("Name in Kyrgyz"), validators=NAME)
    name_ru = StringField(_l("Name in Russian"), validators=NAME)
    name_en = StringField(_l("Name in English"), validators=NAME)


class MunicipalityForm(TerritoryNamesForm):
    code = StringField(
        _l("Code"), validators=[DataRequired(_l("Enter a code.")), Length(max=16)],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
