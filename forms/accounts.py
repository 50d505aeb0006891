"""The user's own profile, and the administration of accounts.

Choices that depend on who is asking (agencies, roles) are set by the view
from the access policy; the forms never decide access.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from coordination.accounts.models import UserStatus
from coordination.i18n import LANGUAGE_NAMES
from forms import BaseForm, QueryForm
from forms.fields import INVALID_CHOICE, choice_id, choices, enum_choices


def _language_field(label, optional: bool):
    extra = [("", _l("Not chosen"))] if optional else []
    return SelectField(label, choices=choices([*extra, *LANGUAGE_NAMES.items()]),
                       default="" if optional else None, invalid_choice_message=INVALID_CHOICE)


class LanguageForm(BaseForm):
    language = _language_field(_l("Interface language"), optional=False)


class ChangePasswordForm(BaseForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password.")), Length(max=256)],
        render_kw={"autocomplete": "current-password"},
    )
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(_l("Enter a new password.")), Length(max=256)],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(_l("Enter the new password again.")),
                    EqualTo("password", _l("The two new passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )


def _code_field(label, digits_only: bool):
    render_kw = {"autocomplete": "one-time-code", "autocapitalize": "none",
                 "spellcheck": "false"}
    if digits_only:
        render_kw["inputmode"] = "numeric"
    return StringField(label, validators=[DataRequired(_l("Enter the code.")), Length(max=32)],
                       render_kw=render_kw)


class TwoFactorSetupForm(BaseForm):
    """Confirms a new authenticator app with the code it shows."""

    code = _code_field(_l("Code from the app"), digits_only=True)


class TwoFactorCheckForm(BaseForm):
    """Password and a code, to turn two-factor sign-in off or renew recovery codes."""

    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password.")), Length(max=256)],
        render_kw={"autocomplete": "current-password"},
    )
    code = _code_field(_l("Code from the app, or a recovery code"), digits_only=False)


FULL_NAME = [DataRequired(_l("Enter the full name.")), Length(max=200)]


class UserForm(BaseForm):
    """Edit a user; the view removes ``agency`` for agency heads."""

    full_name = StringField(_l("Full name"), validators=FULL_NAME)
    agency = SelectField(_l("Agency"), coerce=choice_id, invalid_choice_message=INVALID_CHOICE)
    role = SelectField(_l("Role"), invalid_choice_message=INVALID_CHOICE)
    language = _language_field(_l("Language"), optional=True)


class NewUserForm(UserForm):
    username = StringField(
        _l("Username"),
        validators=[DataRequired(_l("Enter a username.")), Length(max=64)],
        render_kw={"autocapitalize": "none", "autocomplete": "off"},
    )


class UserFilterForm(QueryForm):
    q = StringField(_l("Name or username"), validators=[Optional(), Length(max=100)])
    territory = SelectField(_l("Territory"), coerce=choice_id,
                            invalid_choice_message=INVALID_CHOICE)
    agency = SelectField(_l("Agency"), coerce=choice_id,
                         invalid_choice_message=INVALID_CHOICE)
    #: Choices set by the view: the roles the user may give.
    role = SelectField(_l("Role"), default="", invalid_choice_message=INVALID_CHOICE)
    status = SelectField(
        _l("Status"),
        choices=[*choices([("", _l("Any status"))]),
                 *enum_choices(UserStatus)],
        default="", invalid_choice_message=INVALID_CHOICE,
    )


class ImportUploadForm(BaseForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a file."))])


class ImportConfirmForm(BaseForm):
    """Carries the checked file back (base64) for the real import."""

    content = HiddenField(validators=[DataRequired()])
