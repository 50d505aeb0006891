"""Attaching a document to a case or a meeting."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField

from coordination.documents.models import DocumentKind
from forms import BaseForm
from forms.fields import INVALID_CHOICE, enum_choices


class UploadForm(BaseForm):
    """The person and order choices are the case's own, set by the section."""

    kind = SelectField(_l("Type of document"), choices=enum_choices(DocumentKind),
                       invalid_choice_message=INVALID_CHOICE)
    about = SelectField(_l("About"), default="", invalid_choice_message=INVALID_CHOICE)
    file = FileField(_l("File (PDF, JPEG or PNG)"),
                     validators=[FileRequired(_l("Choose a file."))],
                     render_kw={"accept": "application/pdf,image/jpeg,image/png"})


class MeetingUploadForm(BaseForm):
    """A meeting's document: its type and the file."""

    kind = UploadForm.kind
    file = UploadForm.file
