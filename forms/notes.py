"""Writing and correcting a case note."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, IntegerField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from coordination.notes.models import NoteVisibility
from forms import BaseForm
from forms.fields import INVALID_CHOICE, DayField, enum_choices


class NoteForm(BaseForm):
    dated_on = DayField(_l("Date"), validators=[InputRequired(_l("Enter the date."))])
    visibility = SelectField(_l("Who may read it"), choices=enum_choices(NoteVisibility),
                             invalid_choice_message=INVALID_CHOICE)
    text = TextAreaField(_l("Note"), validators=[InputRequired(_l("Write the note.")),
                                                 Length(max=5000)], render_kw={"rows": 3})


class EditNoteForm(NoteForm):
    version = IntegerField(widget=HiddenField.widget, validators=[Optional()])
