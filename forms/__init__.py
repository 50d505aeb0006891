"""WTForms form classes, one module per area; all share one cleaning rule.

Every text a form receives loses control characters (a NUL byte is refused
by PostgreSQL, and none belongs in a name or a number) and surrounding
spaces. Passwords are taken exactly as typed.
"""
import re

from flask_babel import get_translations
from flask_wtf import FlaskForm
from wtforms import FieldList, Form, FormField, PasswordField
from wtforms.meta import DefaultMeta

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value):
    """``value`` without control characters and surrounding spaces."""
    if isinstance(value, str):
        return _CONTROL.sub("", value).strip()
    return value


class OurTranslations:
    """WTForms' built-in messages looked up in our catalogs (see
    ``forms/builtin_messages.py``), so that Kyrgyz has them too."""

    # Flask-Babel's own gettext/ngettext would %-format the message; WTForms
    # formats it itself, so the catalog is asked directly.
    def gettext(self, string):
        return get_translations().ugettext(string)

    def ngettext(self, singular, plural, n):
        return get_translations().ungettext(singular, plural, n)


_TRANSLATIONS = OurTranslations()


class _CleaningMeta(DefaultMeta):
    def get_translations(self, form):
        return _TRANSLATIONS

    def bind_field(self, form, unbound_field, options):
        # Containers pass their data on to the fields inside, which clean it.
        if not issubclass(unbound_field.field_class, (PasswordField, FormField, FieldList)):
            filters = unbound_field.kwargs.get("filters", ())
            unbound_field.kwargs["filters"] = (clean_text, *filters)
        return super().bind_field(form, unbound_field, options)


class BaseForm(FlaskForm):
    """Every form posts with a CSRF token (Flask-WTF checks it)."""

    class Meta(_CleaningMeta):
        pass

    def add_error(self, field_name: str | None, message) -> None:
        """Show a service's refusal beside ``field_name``, or above the form."""
        field = self._fields.get(field_name) if field_name else None
        if field is not None and field_name != "csrf_token":
            field.errors = [*field.errors, message]
        else:
            self.form_errors.append(message)


class ConfirmForm(BaseForm):
    """A confirmation button: nothing but the CSRF token is posted."""


class SubForm(Form):
    """A group of fields nested in a :class:`BaseForm` (no token of its own)."""

    class Meta(_CleaningMeta):
        pass


class QueryForm(FlaskForm):
    """Forms read from the query string (filters): no CSRF, nothing changes."""

    class Meta(_CleaningMeta):
        csrf = False
