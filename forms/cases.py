"""Case intake and the case list's filters.

Choices that depend on who is asking (districts, lead agencies) are set by
the view from the access policy; the forms never decide access.
"""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from coordination.cases.models import (
    CaseStatus,
    ClosureReason,
    IncidentPlace,
    PersonRole,
    Relationship,
    Reporter,
    RiskLevel,
    Sex,
    ViolenceForm,
)
from forms import BaseForm, QueryForm, SubForm
from forms.fields import (
    INVALID_CHOICE,
    DayField,
    MultiCheckboxField,
    WholeNumberField,
    choices,
    choose_first,
    enum_choices,
    not_in_future_date,
    not_in_future_year,
    optional_int,
)

FIRST_NAME = [DataRequired(_l("Enter the first name.")), Length(max=100)]
LAST_NAME = [DataRequired(_l("Enter the last name.")), Length(max=100)]
BIRTH_YEAR = [NumberRange(min=1900, message=_l("Enter a year from 1900 on.")), not_in_future_year]
#: How many rows for children the intake form offers.
CHILD_ROWS = 4


def _sex_field():
    return SelectField(
        _l("Sex"),
        choices=choose_first(Sex), default="",
        validators=[DataRequired(_l("Choose the sex."))],
        invalid_choice_message=INVALID_CHOICE,
    )


class SurvivorForm(SubForm):
    last_name = StringField(_l("Last name"), validators=LAST_NAME)
    first_name = StringField(_l("First name"), validators=FIRST_NAME)
    patronymic = StringField(_l("Patronymic"), validators=[Optional(), Length(max=100)])
    sex = _sex_field()
    birth_year = WholeNumberField(
        _l("Birth year"),
        validators=[InputRequired(_l("Enter the birth year (an estimate if unknown).")),
                    *BIRTH_YEAR],
    )
    disability = BooleanField(_l("Has a disability"))
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    address = StringField(
        _l("Current address or shelter"), validators=[Optional(), Length(max=300)]
    )
    safe_phone = StringField(_l("Safe phone for content-free messages"),
                             validators=[Optional(), Length(max=40)])


class PerpetratorForm(SubForm):
    last_name = StringField(_l("Last name"), validators=LAST_NAME)
    first_name = StringField(_l("First name"), validators=FIRST_NAME)
    patronymic = StringField(_l("Patronymic"), validators=[Optional(), Length(max=100)])
    sex = _sex_field()
    birth_year = WholeNumberField(_l("Birth year"), validators=[Optional(), *BIRTH_YEAR])
    relationship = SelectField(
        _l("Who they are to the survivor"),
        choices=choose_first(Relationship), default="",
        validators=[DataRequired(_l("Choose the relationship."))],
        invalid_choice_message=INVALID_CHOICE,
    )


class ChildForm(SubForm):
    """One child of the household; a row left entirely blank is ignored."""

    first_name = StringField(_l("First name"), validators=[Length(max=100)])
    last_name = StringField(_l("Last name"), validators=[Length(max=100)])
    sex = SelectField(
        _l("Sex"), choices=[*choices([("", "—")]), *enum_choices(Sex)],
        default="", invalid_choice_message=INVALID_CHOICE,
    )
    birth_year = WholeNumberField(_l("Birth year"))
    witnessed = BooleanField(_l("Witnessed the violence"))

    def is_blank(self) -> bool:
        return not any(
            (self.first_name.data, self.last_name.data, self.sex.data,
             self.birth_year.raw_data and self.birth_year.raw_data[0], self.witnessed.data)
        )

    def validate(self, extra_validators=None) -> bool:
        """A blank row is valid; a started row must be complete."""
        if self.is_blank():
            return True
        valid = super().validate(extra_validators)
        year = self.birth_year.data
        problems = [
            (self.first_name, not (self.first_name.data or "").strip(),
             _l("Enter the first name.")),
            (self.last_name, not (self.last_name.data or "").strip(),
             _l("Enter the last name.")),
            (self.sex, not self.sex.data, _l("Choose the sex.")),
            (self.birth_year, year is None and not self.birth_year.errors,
             _l("Enter the child's birth year.")),
            (self.birth_year, year is not None and year > date.today().year,
             _l("A birth year cannot be in the future.")),
            (self.birth_year, year is not None and year < date.today().year - 17,
             _l("A child is under 18; record an adult as another person.")),
        ]
        for field, failed, message in problems:
            if failed:
                field.errors.append(message)
                valid = False
        return valid


class IncidentForm(SubForm):
    occurred_on = DayField(
        _l("Date of the incident"),
        validators=[InputRequired(_l("Enter the date of the incident.")), not_in_future_date],
    )
    forms = MultiCheckboxField(
        _l("Forms of violence"),
        choices=enum_choices(ViolenceForm),
        validators=[DataRequired(_l("Choose at least one form of violence."))],
        invalid_choice_message=INVALID_CHOICE,
    )
    place = SelectField(
        _l("Place"), choices=choose_first(IncidentPlace), default="",
        validators=[DataRequired(_l("Choose the place."))], invalid_choice_message=INVALID_CHOICE,
    )
    reported_by = SelectField(
        _l("Reported by"), choices=choose_first(Reporter), default="",
        validators=[DataRequired(_l("Choose who reported it."))],
        invalid_choice_message=INVALID_CHOICE,
    )
    bride_kidnapping = BooleanField(_l("Bride kidnapping (ala kachuu)"))
    forced_marriage = BooleanField(_l("Forced marriage"))
    early_marriage = BooleanField(_l("Early marriage"))
    crime_register_number = StringField(
        _l("Register of crimes and misdemeanours number"),
        validators=[Optional(), Length(max=40)],
    )
    info_log_number = StringField(
        _l("Information log number"), validators=[Optional(), Length(max=40)]
    )


class CaseIntakeForm(BaseForm):
    """Registers a case: where, who leads it, the people and the first incident."""

    district = SelectField(_l("District"), coerce=int, invalid_choice_message=INVALID_CHOICE)
    municipality = SelectField(
        _l("Municipality (ayil aimak or town)"), coerce=optional_int,
        invalid_choice_message=INVALID_CHOICE,
    )
    lead_agency = SelectField(
        _l("Lead agency"), coerce=int, invalid_choice_message=INVALID_CHOICE
    )
    survivor = FormField(SurvivorForm)
    perpetrator = FormField(PerpetratorForm)
    children = FieldList(FormField(ChildForm), min_entries=CHILD_ROWS, max_entries=CHILD_ROWS)
    incident = FormField(IncidentForm)
    #: Ticked after the duplicate guard showed possible earlier cases.
    different_person = BooleanField(
        _l("I have checked: register this as a new case all the same"))


class CaseFilterForm(QueryForm):
    """The case list's filters (query string)."""

    status = SelectField(
        _l("Status"),
        choices=[*choices([("", _l("Any status"))]),
                 *enum_choices(CaseStatus)],
        default="", invalid_choice_message=INVALID_CHOICE,
    )
    district = SelectField(
        _l("District"), coerce=optional_int, invalid_choice_message=INVALID_CHOICE
    )
    risk = SelectField(
        _l("Risk"),
        choices=[*choices([("", _l("Any risk"))]), *enum_choices(RiskLevel)],
        default="", invalid_choice_message=INVALID_CHOICE,
    )
    q = StringField(
        _l("Reference or survivor code"), validators=[Optional(), Length(max=24)]
    )


class CaseStatusForm(BaseForm):
    """Move the case on, close it (with a reason) or reopen it."""

    status = SelectField(
        _l("New status"),
        choices=enum_choices(CaseStatus),
        invalid_choice_message=INVALID_CHOICE,
    )
    closure_reason = SelectField(
        _l("Reason for closing"),
        choices=[*choices([("", "—")]), *enum_choices(ClosureReason)],
        default="", invalid_choice_message=INVALID_CHOICE,
    )
    version = IntegerField(widget=HiddenField.widget, validators=[InputRequired()])


class ReassignLeadForm(BaseForm):
    """Choices are set by the view from the policy."""

    lead_agency = SelectField(
        _l("New lead agency"), coerce=int, invalid_choice_message=INVALID_CHOICE
    )
    version = IntegerField(widget=HiddenField.widget, validators=[InputRequired()])


class NewIncidentForm(BaseForm):
    """Another incident on an existing case (same survivor and alleged perpetrator)."""

    incident = FormField(IncidentForm)


class IncidentCorrectionForm(BaseForm):
    """Correct an incident's date, place, reporter, forms, flags and register
    numbers (issue 15), against the version the page showed. Each incident's
    form has its own prefix (``incident<id>``): the page draws one per incident."""

    incident = FormField(IncidentForm)
    version = IntegerField(widget=HiddenField.widget, validators=[InputRequired()])


class PersonCorrectionForm(BaseForm):
    """Correct or complete a person's details (issue 15), against the version
    the page showed."""

    last_name = StringField(_l("Last name"), validators=LAST_NAME)
    first_name = StringField(_l("First name"), validators=FIRST_NAME)
    patronymic = StringField(_l("Patronymic"), validators=[Optional(), Length(max=100)])
    sex = _sex_field()
    birth_year = WholeNumberField(_l("Birth year"), validators=[Optional(), *BIRTH_YEAR])
    disability = BooleanField(_l("Has a disability"))
    relationship = SelectField(
        _l("Who they are to the survivor"),
        choices=[*choices([("", "—")]), *enum_choices(Relationship)],
        default="", invalid_choice_message=INVALID_CHOICE,
    )
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    address = StringField(
        _l("Current address or shelter"), validators=[Optional(), Length(max=300)]
    )
    version = IntegerField(widget=HiddenField.widget, validators=[InputRequired()])


class AddPersonForm(BaseForm):
    """Add someone to a case at any time: a second child, another witness,
    a further alleged perpetrator."""

    role = SelectField(
        _l("Role"),
        choices=[*choices([("", _l("— choose —"))]),
                 *(c for c in enum_choices(PersonRole) if c.value != PersonRole.SURVIVOR.value)],
        default="", validators=[DataRequired(_l("Choose the role."))],
        invalid_choice_message=INVALID_CHOICE,
    )
    last_name = StringField(_l("Last name"), validators=LAST_NAME)
    first_name = StringField(_l("First name"), validators=FIRST_NAME)
    patronymic = StringField(_l("Patronymic"), validators=[Optional(), Length(max=100)])
    sex = _sex_field()
    birth_year = WholeNumberField(_l("Birth year"), validators=[Optional(), *BIRTH_YEAR])
    disability = BooleanField(_l("Has a disability"))
    relationship = SelectField(
        _l("Who they are to the survivor"),
        choices=[*choices([("", "—")]), *enum_choices(Relationship)],
        default="", invalid_choice_message=INVALID_CHOICE,
    )
