"""Adding a follow-up to a case and closing it."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from forms import BaseForm
from forms.fields import INVALID_CHOICE, REQUIRED, DayField, optional_int
from forms.referrals import legal_ground_field

#: After an owning agency's name in the choices when the policy will not show
#: it the survivor's contact details; the form's notice says how to change it.
WITHOUT_CONTACTS = _l("will not see contact details")


def owner_label(name: str, without_contacts: bool) -> str:
    """An owning agency's choice: its name, marked when it will not see the
    contact details (server-rendered, so the warning needs no script)."""
    return f"{name} ({WITHOUT_CONTACTS})" if without_contacts else name


class FollowUpForm(BaseForm):
    """Owner choices are set by the view from the policy."""

    action = StringField(
        _l("Action"), validators=[DataRequired(_l("Describe the action.")), Length(max=300)]
    )
    #: ``data-narrows``: the page's script offers only this agency's staff
    #: in the person responsible (static/js/app.js).
    owner_agency = SelectField(
        _l("Owning agency"), coerce=optional_int, validators=[DataRequired(REQUIRED)],
        invalid_choice_message=INVALID_CHOICE,
        render_kw={"data-narrows": "owner_user"},
    )
    owner_user = SelectField(
        _l("Person responsible (optional)"), coerce=optional_int,
        invalid_choice_message=INVALID_CHOICE,
    )
    due_on = DayField(_l("Due date"), validators=[InputRequired(_l("Enter the due date."))])
    legal_ground = legal_ground_field()


class CloseFollowUpForm(BaseForm):
    """Done (by the owner) or cancelled (by the lead agency), with a note."""

    outcome = HiddenField(validators=[DataRequired()])  #: "done" or "cancel"
    version = IntegerField(widget=HiddenField.widget, validators=[InputRequired()])
    note = TextAreaField(
        _l("What was done, or why it is cancelled"),
        validators=[Optional(), Length(max=500)], render_kw={"rows": 2},
    )


class UndoDoneForm(BaseForm):
    """Undo a mistaken "done": the page's version only."""

    version = IntegerField(widget=HiddenField.widget, validators=[InputRequired()])
