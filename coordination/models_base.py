"""Small column helpers shared by every domain's models."""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa


def utcnow() -> datetime:
    """Naive UTC "now": both databases store timestamps without a zone here."""
    return datetime.now(UTC).replace(tzinfo=None)


def enum_type(
    enum_cls: type[enum.Enum], constrained: bool = True, name: str | None = None
) -> sa.Enum:
    """A portable enum column: VARCHAR storing the values, plus a CHECK.

    Native PostgreSQL enums would need a migration for every new value.
    ``constrained=False`` leaves out the CHECK for lists that grow with every
    feature (audit actions, timeline kinds), whose tables should not be
    rebuilt by SQLite batch migrations for each new member. ``name`` names
    the CHECK constraint when a table has two columns of the same enum.
    """
    return sa.Enum(
        enum_cls,
        name=name or enum_cls.__name__.lower(),
        native_enum=False,
        create_constraint=constrained,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class LabelledEnum(enum.StrEnum):
    """A domain enumeration whose members carry their translated label.

    Each member is declared with its label beside it,
    ``OPEN = "open", _l("Open")``; the stored value is the string alone and
    ``member.label`` is the label in the current language. Forms, templates
    and reports read ``.label``; there is no separate table to keep in step.
    """

    def __new__(cls, value: str, label: object):
        member = str.__new__(cls, value)
        member._value_ = value
        member._label = label
        return member

    @property
    def label(self) -> str:
        """The member's label in the current language."""
        return str(self._label)

    @property
    def lazy_label(self):
        """The label still untranslated, for choices built when a module loads
        (form classes); it is translated each time it is shown."""
        return self._label


class PersonalKind(enum.StrEnum):
    """What kind of personal data a column holds."""

    NAME = "name"  #: a person's name
    CONTACT = "contact"  #: a phone number (or e-mail)
    ADDRESS = "address"  #: where someone lives or shelters
    IDENTIFIER = "identifier"  #: initials, register numbers, a username, an IP address
    FREE_TEXT = "free_text"  #: what staff typed about the case; may name anyone


class DataSubject(enum.StrEnum):
    """Whose personal data a column holds, which decides the rule that removes it."""

    #: The people on a case: removed with the case's other personal data when the
    #: retention rule anonymizes it (coordination/maintenance/retention.py).
    CASE = "case"
    #: The system's users: kept while their actions must stay attributable.
    STAFF = "staff"


@dataclass(frozen=True)
class PersonalData:
    kind: PersonalKind
    subject: DataSubject


#: What the retention rule writes into a required personal column it clears.
REMOVED = "—"


def personal(kind: PersonalKind, subject: DataSubject = DataSubject.CASE) -> dict:
    """The ``info`` of a column holding personal data:
    ``mapped_column(sa.String(100), info=personal(PersonalKind.NAME))``.

    This is the one declaration of where personal data lives. The retention
    rule reads it to know what to remove, and redaction and exports are to
    read it to know what to leave out; tests/test_personal_data.py fails when
    a column that looks like a name, phone, address or free text is not marked.
    """
    return {"personal": PersonalData(kind, subject)}


def personal_columns(
    metadata: sa.MetaData, subject: DataSubject | None = None
) -> list[sa.Column]:
    """Every column marked with :func:`personal` (of ``subject`` if given), by table."""
    return [
        column
        for table in metadata.sorted_tables
        for column in table.columns
        if "personal" in column.info
        and (subject is None or column.info["personal"].subject == subject)
    ]
