"""Fields, choices and validators shared by several forms."""
from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from wtforms import Field, IntegerField, SelectChoice, SelectMultipleField
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from coordination import local_dates

#: Shown when a posted value is not among the offered choices.
INVALID_CHOICE = _l("Choose a value from the list.")


class MultiCheckboxField(SelectMultipleField):
    """A multi-select shown as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __iter__(self):
        # Each box inherits the field's validators, so DataRequired would mark
        # every box ``required`` and the browser would refuse the form unless
        # all were ticked. "At least one" is checked on the server instead.
        for option in super().__iter__():
            option.flags.required = False
            yield option


class _OwnParseMessage:
    """A field whose unparsable input gets our translated ``parse_message``."""

    parse_message = None

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(self.parse_message) from None


#: Every date and date-time typed into a form lies in this window: from 1900
#: (the earliest birth year the forms take) to ten years ahead (a meeting, a
#: due date). Outside it a value is a typing error or an attack (year 0001,
#: 9999), refused with a clear message before any service or database sees it.
EARLIEST_YEAR = 1900
YEARS_AHEAD = 10


def plausible_window(today: date | None = None) -> tuple[date, date]:
    """The first and last day a date field accepts."""
    today = today or date.today()
    return date(EARLIEST_YEAR, 1, 1), date(today.year + YEARS_AHEAD, 12, 31)


class PlausibleDates:
    """Mixin for date and date-time fields: refuse values outside
    :func:`plausible_window` with a message naming the years."""

    def pre_validate(self, form):
        super().pre_validate(form)
        value = self.data
        if value is None:
            return
        day = value.date() if isinstance(value, datetime) else value
        first, last = plausible_window()
        if not first <= day <= last:
            raise ValidationError(_l("Enter a date between the years %(first)s and %(last)s.",
                                     first=first.year, last=last.year))


class LocalDateInput(TextInput):
    """A text input for a date typed the country's way (see
    :mod:`coordination.local_dates`), not the browser's ``type=date``, whose
    format follows the browser's language instead of the page's. The pattern
    is its placeholder; ``data-date`` names the kind for the page's script."""

    def __call__(self, field, **kwargs):
        kwargs.setdefault("placeholder", str(field.format_hint))
        kwargs.setdefault("autocomplete", "off")
        kwargs.setdefault("data-date", field.date_kind)
        return super().__call__(field, **kwargs)


class _LocalDateField(Field):
    """A date or date-time typed as ``format_hint`` says (ISO read too)."""

    widget = LocalDateInput()
    parse_message = None
    date_kind = ""
    format_hint = ""

    @staticmethod
    def _parse(text):
        raise NotImplementedError

    @staticmethod
    def _format(value):
        raise NotImplementedError

    def _value(self):
        if self.raw_data:
            return " ".join(self.raw_data)
        return self._format(self.data)

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        text = " ".join(valuelist).strip()
        self.data = None
        if not text:
            return  # an empty field: InputRequired or Optional decide
        self.data = self._parse(text)
        if self.data is None:
            raise ValueError(self.parse_message)


class DayField(PlausibleDates, _LocalDateField):
    """A date: 05.03.2026 (or 2026-03-05)."""

    parse_message = _l("Enter a valid date.")
    date_kind = "day"
    format_hint = local_dates.DAY_PATTERN
    _parse = staticmethod(local_dates.parse_day)
    _format = staticmethod(local_dates.format_day)


class MomentField(PlausibleDates, _LocalDateField):
    """A date and time, local to the user: 05.03.2026 14:30 (or
    2026-03-05T14:30, as the browser's datetime-local input sent it)."""

    parse_message = _l("Enter a valid date and time.")
    date_kind = "moment"
    format_hint = local_dates.MOMENT_PATTERN
    _parse = staticmethod(local_dates.parse_moment)
    _format = staticmethod(local_dates.format_moment)


class WholeNumberField(_OwnParseMessage, IntegerField):
    """An integer with our own parse message (``parse_message`` overrides it)."""

    parse_message = _l("Enter a whole number, e.g. 1990.")

    def __init__(self, *args, parse_message=None, **kwargs):
        super().__init__(*args, **kwargs)
        if parse_message is not None:
            self.parse_message = parse_message


def choices(pairs) -> list[SelectChoice]:
    """SelectChoice objects from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def enum_choices(enum_cls) -> list[SelectChoice]:
    """One choice per member of a labelled enum, in the enum's order, each
    with the member's own (lazily translated) label."""
    return [SelectChoice(member.value, member.lazy_label) for member in enum_cls]


#: The first option of a select whose answer is a fact about a person (sex,
#: relationship, place, who reported): nothing is pre-selected, so a
#: hurried entry is refused rather than saved as a wrong statistic.
CHOOSE = _l("— choose —")


def choose_first(enum_cls) -> list[SelectChoice]:
    """A "choose" option (empty value) and then the enum's members."""
    return [SelectChoice("", CHOOSE), *enum_choices(enum_cls)]


#: The message of a required select left at "— choose —".
REQUIRED = _l("This field is required.")


def choose_then(pairs) -> list[SelectChoice]:
    """A "choose" option (empty value) and then ``(value, label)`` pairs:
    a required choice is never pre-selected (issue 15, safe defaults)."""
    return [SelectChoice("", CHOOSE), *choices(pairs)]


def optional_int(value) -> int | None:
    """Coerce a select's value: the empty choice means None."""
    if value in ("", None):
        return None
    return int(value)


def choice_id(value) -> int | None:
    """Coerce a select of ids: empty or not a number is no choice (None), which
    the field then refuses with :data:`INVALID_CHOICE` like any forged value."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def not_in_future_year(_form, field) -> None:
    if field.data is not None and field.data > date.today().year:
        raise ValidationError(_l("A birth year cannot be in the future."))


def not_in_future_date(_form, field) -> None:
    if field.data is not None and field.data > date.today():
        raise ValidationError(_l("The date cannot be in the future."))
