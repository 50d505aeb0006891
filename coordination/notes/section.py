"""The notes section of the case page."""
from __future__ import annotations

from coordination import policy
from coordination.cases.page import CaseSection, form_wanted
from coordination.models_base import utcnow
from coordination.notes.services import edit_window, readable_notes, still_editable
from forms.notes import EditNoteForm, NoteForm


def note_form(user=None, case=None, display: bool = False) -> NoteForm:
    form = NoteForm(formdata=None) if display else NoteForm()
    if display:
        form.dated_on.data = utcnow().date()
    return form


def edit_form(user=None, note=None, display: bool = False) -> EditNoteForm:
    if display:
        form = EditNoteForm(formdata=None, obj=note, prefix=f"note{note.id}")
        form.visibility.data = note.visibility.value
        return form
    return EditNoteForm(prefix=f"note{note.id}")


def _build(user, case, can):
    now = utcnow()
    notes = readable_notes(user, case)
    window = edit_window()  # one query for the page, not one per note
    editable = {n.id: edit_form(user, n, display=True) for n in notes
                if can(policy.Action.EDIT_NOTE, n) and still_editable(n, now, window)}
    may_add = can(policy.Action.ADD_NOTE, case)
    if not notes and not may_add:
        return None
    # The form only when drawn (form_wanted).
    form = note_form(display=True) if may_add and form_wanted(
        "write-note", "notes.add", case) else None
    return {"notes": notes, "form": form, "edit_forms": editable,
            "may_open": {"write-note"} if may_add else set()}


section = CaseSection("notes", "notes/section.html", _build)
