"""Committee meetings: scheduling, the agenda, attendance, decisions.

Choices (attending agencies, the agenda's cases, owners) are set by the view
from the services, which take them from the access policy.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from coordination.meetings.models import AttendeeRole
from forms import BaseForm
from forms.fields import (
    INVALID_CHOICE,
    REQUIRED,
    MomentField,
    MultiCheckboxField,
    enum_choices,
    optional_int,
)
from forms.followups import WITHOUT_CONTACTS, FollowUpForm


class MeetingForm(BaseForm):
    """Schedule a meeting: when (in the committee's local time) and where."""

    scheduled_for = MomentField(
        _l("Date and time"), validators=[InputRequired(_l("Enter the date and time."))]
    )
    place = StringField(
        _l("Venue"),
        validators=[DataRequired(_l("Say where the meeting takes place.")), Length(max=200)],
    )


class RescheduleForm(MeetingForm):
    version = IntegerField(widget=HiddenField.widget, validators=[InputRequired()])


class MeetingStepForm(BaseForm):
    """A button on the meeting (cancel, mark held), with the page's version."""

    version = IntegerField(widget=HiddenField.widget, validators=[InputRequired()])


class ButtonForm(BaseForm):
    """A button whose object is in the URL (propose the agenda, remove an item)."""


class AgendaCaseForm(BaseForm):
    reference = StringField(
        _l("Case reference number"),
        validators=[DataRequired(_l("Enter the case reference number.")), Length(max=24)],
        render_kw={"autocapitalize": "characters", "placeholder": "DV-2026-XXXXXX"},
    )


class AttendanceForm(BaseForm):
    agencies = MultiCheckboxField(
        _l("Attending agencies"), coerce=int, invalid_choice_message=INVALID_CHOICE
    )
    version = IntegerField(widget=HiddenField.widget, validators=[InputRequired()])


class DecisionForm(FollowUpForm):
    """A follow-up decided at the meeting, on one of the agenda's cases."""

    #: ``data-marks``: with several cases on the agenda, the page's script marks
    #: the owners that will not see the chosen case's contact details
    #: (static/js/app.js); each case's option lists them.
    case = SelectField(_l("Case"), coerce=optional_int, validators=[DataRequired(REQUIRED)],
                       invalid_choice_message=INVALID_CHOICE,
                       render_kw={"data-marks": "owner_agency", "data-marker": WITHOUT_CONTACTS})


class AttendeeForm(BaseForm):
    """A person present; agency choices: the agencies invited (set by the view)."""

    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the attendee's name.")),
                                               Length(max=200)])
    position = StringField(_l("Position"),
                           validators=[DataRequired(_l("Enter the attendee's position.")),
                                       Length(max=200)])
    agency = SelectField(_l("Agency"), coerce=optional_int, invalid_choice_message=INVALID_CHOICE)
    role = SelectField(_l("Role at the meeting"), choices=enum_choices(AttendeeRole),
                       default=AttendeeRole.MEMBER.value, invalid_choice_message=INVALID_CHOICE)


class RemoveAttendeeForm(BaseForm):
    attendee = IntegerField(widget=HiddenField.widget, validators=[InputRequired()])


class DiscussionNoteForm(BaseForm):
    note = TextAreaField(_l("Discussion (references only, no names)"),
                         validators=[Optional(), Length(max=1000)])
