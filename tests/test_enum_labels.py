"""The domain's enumerations carry their labels (STYLE.md: the enum carries its label)."""
from __future__ import annotations

import pytest
from flask_babel import force_locale

import coordination.models  # noqa: F401  (loads every model and its enums)
from coordination import labels
from coordination.cases.models import CaseStatus, Sex
from coordination.models_base import LabelledEnum
from forms.fields import enum_choices


def _labelled_enums() -> list[type[LabelledEnum]]:
    found, todo = [], list(LabelledEnum.__subclasses__())
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo += cls.__subclasses__()
    return sorted(found, key=lambda cls: cls.__name__)


def test_the_domain_enums_are_labelled():
    names = {cls.__name__ for cls in _labelled_enums()}
    assert {"AgencyType", "Role", "UserStatus", "CaseStatus", "ClosureReason", "IncidentPlace",
            "PersonRole", "Relationship", "Reporter", "RiskLevel", "Sex", "ViolenceForm",
            "TimelineKind", "ConsentScope", "FollowUpStatus", "AgendaReason", "MeetingStatus",
            "NotificationKind", "ProgrammeStatus", "OrderKind", "OrderStatus", "LegalGround",
            "Priority", "ReferralService", "ReferralStatus"} <= names


@pytest.mark.parametrize("enum_cls", _labelled_enums(), ids=lambda cls: cls.__name__)
def test_every_member_has_a_translated_label(app, enum_cls):
    with app.test_request_context():
        for member in enum_cls:
            with force_locale("en"):
                english = member.label
            assert english and english != member.value
            for language in ("ky", "ru"):
                with force_locale(language):
                    assert member.label != english, (member, language)


def test_the_stored_value_is_the_string_alone():
    assert CaseStatus("open") is CaseStatus.OPEN
    assert CaseStatus.OPEN == "open" and CaseStatus.OPEN.value == "open"
    assert str(Sex.FEMALE) == "female"


def test_form_choices_translate_when_shown(app):
    choices = enum_choices(Sex)
    with app.test_request_context(), force_locale("ru"):
        assert [(c.value, str(c.label)) for c in choices] == [("female", "Женский"),
                                                               ("male", "Мужской")]


def test_no_central_table_of_enum_labels():
    """What is left in labels.py is keyed by something other than a labelled enum."""
    for table in labels.TABLES.values():
        assert not any(isinstance(key, LabelledEnum) for key in table)
