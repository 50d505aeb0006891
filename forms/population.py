"""Population figures: one figure, a CSV file of them, the list's year."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField
from wtforms.validators import DataRequired, InputRequired

from coordination.cases.models import Sex
from forms import BaseForm, QueryForm
from forms.fields import INVALID_CHOICE, WholeNumberField, choice_id, choose_first


class PopulationFigureForm(BaseForm):
    #: Choices set by the view: the regions and districts.
    territory_id = SelectField(_l("Territory"), coerce=choice_id,
                               validators=[DataRequired(_l("Choose a region or a district."))],
                               invalid_choice_message=INVALID_CHOICE)
    year = WholeNumberField(_l("Year"), validators=[InputRequired(_l("Enter the year."))],
                            parse_message=_l("Enter the year as four digits, e.g. 2025."))
    sex = SelectField(_l("Sex"), choices=choose_first(Sex), default="",
                      validators=[DataRequired(_l("Choose the sex."))],
                      invalid_choice_message=INVALID_CHOICE)
    population = WholeNumberField(
        _l("Population"), validators=[InputRequired(_l("Enter the population."))],
        parse_message=_l("Enter the population as a whole number, without spaces."),
        render_kw={"inputmode": "numeric", "autocomplete": "off"})


class PopulationImportForm(BaseForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a file."))])


class PopulationYearForm(QueryForm):
    #: Choices set by the view: the years that have figures.
    year = SelectField(_l("Year"), coerce=choice_id, invalid_choice_message=INVALID_CHOICE)
