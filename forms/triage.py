"""Recording an incoming report and triaging it."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from coordination.triage.models import ClosingReason, ReportSource
from forms import BaseForm
from forms.fields import INVALID_CHOICE, MomentField, enum_choices


class IncomingReportForm(BaseForm):
    """The districts are set by the view from the policy."""

    source = SelectField(_l("Line or source"), choices=enum_choices(ReportSource),
                         validators=[DataRequired()], invalid_choice_message=INVALID_CHOICE)
    received_at = MomentField(_l("Time of the call"), validators=[DataRequired()])
    district = SelectField(_l("District"), coerce=int, invalid_choice_message=INVALID_CHOICE)
    summary = TextAreaField(_l("What is known"), validators=[DataRequired(), Length(max=2000)],
                            render_kw={"rows": 4})
    caller_contact = StringField(_l("The caller's safe contact, if given"),
                                 validators=[Optional(), Length(max=200)])


class AttachReportForm(BaseForm):
    version = IntegerField(widget=HiddenField.widget, validators=[InputRequired()])
    reference = StringField(_l("Case reference"), validators=[DataRequired(), Length(max=24)])


class CloseReportForm(BaseForm):
    version = IntegerField(widget=HiddenField.widget, validators=[InputRequired()])
    reason = SelectField(_l("Reason"), choices=enum_choices(ClosingReason),
                         validators=[DataRequired()], invalid_choice_message=INVALID_CHOICE)
