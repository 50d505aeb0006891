"""Agencies: the administrators' form, the list's filters, the deactivation."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from coordination.agencies.models import AgencyType
from forms import BaseForm, QueryForm
from forms.fields import INVALID_CHOICE, choice_id, choices, enum_choices


def _type_field():
    return SelectField(_l("Type"), choices=enum_choices(AgencyType),
                       validators=[DataRequired(_l("Choose the type."))],
                       invalid_choice_message=INVALID_CHOICE)


class AgencyForm(BaseForm):
    """Edit an agency; its code stays as created."""

    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the agency's name.")),
                                               Length(max=200)])
    type = _type_field()
    #: Choices set by the view: the active territories.
    territory = SelectField(_l("Territory served"), coerce=choice_id,
                            validators=[DataRequired(_l("Choose the territory the agency "
                                                        "serves."))],
                            invalid_choice_message=INVALID_CHOICE)


class NewAgencyForm(AgencyForm):
    code = StringField(
        _l("Code"),
        validators=[DataRequired(_l("Enter a code.")), Length(max=32)],
        render_kw={"autocapitalize": "characters", "autocomplete": "off"},
    )


class AgencyFilterForm(QueryForm):
    q = StringField(_l("Code or name"), validators=[Optional(), Length(max=100)])
    territory = SelectField(_l("Territory"), coerce=choice_id,
                            invalid_choice_message=INVALID_CHOICE)
    type = SelectField(
        _l("Type"),
        choices=[*choices([("", _l("Any type"))]),
                 *enum_choices(AgencyType)],
        default="", invalid_choice_message=INVALID_CHOICE,
    )
    status = SelectField(
        _l("Status"),
        choices=choices([("", _l("Any status")), ("active", _l("Active agencies")),
                         ("inactive", _l("Deactivated agencies"))]),
        default="", invalid_choice_message=INVALID_CHOICE,
    )


class DeactivateAgencyForm(BaseForm):
    """The view requires ``handed_over`` while the agency still has open work."""

    handed_over = BooleanField(
        _l("I know this work must be handed over to other agencies.")
    )


class DirectoryEntryForm(BaseForm):
    """What the referral directory tells about an agency (administrators)."""

    services = TextAreaField(_l("Services offered (one a line)"),
                             validators=[Optional(), Length(max=2000)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    hours = StringField(_l("Opening hours"), validators=[Optional(), Length(max=200)])
    languages = StringField(_l("Languages"), validators=[Optional(), Length(max=200)])
