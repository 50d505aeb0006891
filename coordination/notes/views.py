"""Writing and correcting notes from the case page."""
from __future__ import annotations

from flask import Blueprint
from flask_babel import gettext as _

from coordination import policy
from coordination.cases.steps import load_case, to_case
from coordination.decorators import section_required
from coordination.notes import services
from coordination.notes.models import NoteVisibility
from coordination.notes.section import edit_form, note_form
from coordination.pipeline import step

bp = Blueprint("notes", __name__)
cases_section = section_required(policy.Section.CASES)


def _data(form) -> services.NoteData:
    return services.NoteData(dated_on=form.dated_on.data,
                             visibility=NoteVisibility(form.visibility.data), text=form.text.data)


@bp.route("/cases/<case:case_id>/notes", methods=["POST"])
@cases_section
@step(load=load_case, action=policy.Action.ADD_NOTE, back=to_case("notes"), form=note_form)
def add(user, case, form):
    services.add_note(user, case, _data(form))
    return _("Note written.")


@bp.route("/notes/<note:note_id>/edit", methods=["POST"])
@cases_section
@step(load=services.get_note_or_404, action=policy.Action.EDIT_NOTE, back=to_case("notes"),
      form=edit_form)
def edit(user, note, form):
    services.edit_note(user, note, _data(form), form.version.data)
    return _("Note corrected.")
