"""Settings: what each one is, its limits, reading and changing them.

A setting's default is the app's config value of the same name in upper
case (``suppression_k`` -> ``SUPPRESSION_K``); a value changed in the app is
stored in ``settings`` and wins. Every change is kept in ``setting_changes``
(who, when, old and new value) and audited. Other features read a setting
with :func:`get_setting`; an unknown key raises.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app, g, has_app_context, has_request_context
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from coordination import policy
from coordination.accounts.models import User
from coordination.audit.models import AuditAction
from coordination.audit.services import record
from coordination.extensions import db
from coordination.models_base import utcnow
from coordination.queries import admin_page
from coordination.refusals import Forbidden, RuleBroken
from coordination.settings.models import Setting, SettingChange


class SettingError(RuleBroken):
    """A value breaks a setting's limits; ``field`` is the setting's key."""


@dataclass(frozen=True)
class SettingSpec:
    """One setting: a whole number between ``minimum`` and ``maximum``, or a
    yes/no switch (``kind`` is ``bool``)."""

    key: str
    group: str
    label: Any
    unit: Any
    minimum: int
    maximum: int
    kind: type = int


def switch(key: str, group: str, label) -> SettingSpec:
    """A yes/no setting."""
    return SettingSpec(key, group, label, None, 0, 1, kind=bool)


HOURS, DAYS, MONTHS = _l("in hours"), _l("in days"), _l("in months")
PEOPLE, ANSWERS = _l("number of people"), _l('number of "yes" answers')

#: Groups in the order the settings page shows them.
GROUPS = {
    "referrals": _l("Referral response deadlines"),
    "orders": _l("Protection orders"),
    "disclosure": _l("Disclosure control in reports"),
    "risk": _l("Risk checklist"),
    "two_factor": _l("Two-factor sign-in"),
    "documents": _l("Documents attached to cases"),
    "notes": _l("Case notes"),
}

SPECS = {
    spec.key: spec
    for spec in (
        SettingSpec("referral_deadline_hours_urgent", "referrals",
                    _l("Urgent referrals"), HOURS, 1, 2160),
        SettingSpec("referral_deadline_hours_high", "referrals",
                    _l("High-priority referrals"), HOURS, 1, 2160),
        SettingSpec("referral_deadline_hours_normal", "referrals",
                    _l("Normal referrals"), HOURS, 1, 2160),
        SettingSpec("temporary_order_days", "orders",
                    _l("Temporary protection order"), DAYS, 1, 30),
        SettingSpec("extended_temporary_order_days", "orders",
                    _l("Extended temporary protection order"), DAYS, 1, 90),
        SettingSpec("court_order_max_months", "orders",
                    _l("Court restrictions, longest"), MONTHS, 1, 12),
        SettingSpec("order_check_hours_high", "orders",
                    _l("Checks of an order: high risk, every"), HOURS, 1, 720),
        SettingSpec("order_check_hours_normal", "orders",
                    _l("Checks of a temporary order: otherwise, every"), HOURS, 1, 720),
        SettingSpec("order_check_hours_court", "orders",
                    _l("Checks of court restrictions: otherwise, every"), HOURS, 1, 720),
        SettingSpec("order_check_backdate_hours", "orders",
                    _l("A check may be recorded at most this long after it"), HOURS, 0, 48),
        SettingSpec("order_check_grace_hours", "orders",
                    _l("A missed check goes to the agency head after"), HOURS, 1, 720),
        SettingSpec("order_check_committee_hours", "orders",
                    _l("A missed check goes to the committee after"), HOURS, 1, 720),
        # k is never below 3: smaller counts could point at a person.
        SettingSpec("suppression_k", "disclosure",
                    _l("Smallest count shown (k)"), PEOPLE, 3, 100),
        SettingSpec("suppression_k_sexual_violence", "disclosure",
                    _l("Smallest count shown for sexual violence"), PEOPLE, 3, 100),
        SettingSpec("risk_medium_threshold", "risk", _l("Medium risk: at least"), ANSWERS, 1, 99),
        SettingSpec("risk_high_threshold", "risk", _l("High risk: at least"), ANSWERS, 1, 99),
        switch("two_factor_required_committee", "two_factor",
               _l("Required for committee staff (coordinators)")),
        switch("two_factor_required_leads", "two_factor", _l("Required for agency heads")),
        switch("two_factor_required_ministry", "two_factor",
               _l("Required for ministry users")),
        switch("two_factor_required_admins", "two_factor", _l("Required for administrators")),
        switch("two_factor_required_confirmed", "two_factor",
               _l("Required before the first case view of accounts an administrator "
                  "created or reset")),
        # Never above the request limit (MAX_CONTENT_LENGTH, 8 MB).
        SettingSpec("document_max_megabytes", "documents",
                    _l("Largest file accepted"), _l("in megabytes"), 1, 7),
        SettingSpec("note_edit_minutes", "notes",
                    _l("Time in which the author may correct a note"), _l("in minutes"), 1, 1440),
    )
}

#: Rules between settings: (holds for the values, key to blame, message).
CROSS_RULES = (
    (lambda v: v["referral_deadline_hours_urgent"] <= v["referral_deadline_hours_high"]
     <= v["referral_deadline_hours_normal"], "referral_deadline_hours_high",
     _l("An urgent referral's deadline cannot be longer than a high one's, "
        "nor a high one's longer than a normal one's.")),
    (lambda v: v["extended_temporary_order_days"] >= v["temporary_order_days"],
     "extended_temporary_order_days",
     _l("An extended order cannot be shorter than the temporary order.")),
    (lambda v: v["order_check_grace_hours"] < v["order_check_committee_hours"],
     "order_check_grace_hours",
     _l("A missed check must reach the agency head before the committee.")),
    (lambda v: v["suppression_k_sexual_violence"] >= v["suppression_k"],
     "suppression_k_sexual_violence",
     _l("k for sexual violence cannot be smaller than k.")),
    (lambda v: v["risk_medium_threshold"] < v["risk_high_threshold"],
     "risk_medium_threshold",
     _l("Medium risk must start below high risk.")),
)


def _spec(key: str) -> SettingSpec:
    try:
        return SPECS[key]
    except KeyError:
        raise KeyError(f"unknown setting {key!r}") from None


def default(key: str) -> int | bool:
    """The config's value for ``key``."""
    return current_app.config[_spec(key).key.upper()]


def get_setting(key: str) -> Any:
    """The stored value of setting ``key``, or its default; unknown keys raise."""
    _spec(key)
    if has_request_context():
        return _request_settings()[key]
    stored = db.session.get(Setting, key)
    return stored.value if stored is not None else default(key)


def all_settings() -> dict[str, Any]:
    """Every setting's current value, in one query (in a request: read once,
    with the signed-in user when there is one; see :func:`stored_settings_column`)."""
    if has_request_context():
        return dict(_request_settings())
    return _stored_now()


def _stored_now() -> dict[str, Any]:
    return _with_defaults({s.key: s.value for s in db.session.scalars(sa.select(Setting))})


def _with_defaults(stored: dict[str, Any]) -> dict[str, Any]:
    return {key: stored.get(key, default(key)) for key in SPECS}


#: Where a request keeps the settings it read (once per request: the home and
#: case pages read them in several places, every page for two-factor sign-in).
_REQUEST_KEY = "settings_in_force"


def _request_settings() -> dict[str, Any]:
    values = g.get(_REQUEST_KEY)
    if values is None:
        values = _stored_now()
        setattr(g, _REQUEST_KEY, values)
    return values


def stored_settings_column() -> sa.ColumnElement:
    """Every stored setting as one JSON object (``{key: value}``), as a column
    that another statement carries: the signed-in user's lookup reads the
    settings in the same round trip (no cache to go stale between worker
    processes: each request reads what is stored). Give what it returned to
    :func:`remember_stored_settings`."""
    if db.session.get_bind().dialect.name == "postgresql":
        aggregate = sa.func.json_object_agg(Setting.key, Setting.value)
    else:  # SQLite: the stored text parsed, so that values stay numbers and booleans
        aggregate = sa.func.json_group_object(Setting.key, sa.func.json(Setting.value))
    return sa.type_coerce(sa.select(aggregate).scalar_subquery(), sa.JSON)


def remember_stored_settings(stored: dict[str, Any] | None) -> None:
    """The request's settings are these stored values (from
    :func:`stored_settings_column`; None when nothing is stored)."""
    setattr(g, _REQUEST_KEY, _with_defaults(stored or {}))


def _checked(values: dict[str, Any]) -> dict[str, int | bool]:
    for key, value in values.items():
        spec = _spec(key)
        if spec.kind is bool:
            if not isinstance(value, bool):
                raise SettingError(_l("Choose yes or no."), key)
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            raise SettingError(_l("Enter a whole number."), key)
        if not spec.minimum <= value <= spec.maximum:
            raise SettingError(_l("Enter a number from %(min)s to %(max)s.",
                                  min=spec.minimum, max=spec.maximum), key)
    return values


def update_settings(actor: User, values: dict[str, Any]) -> list[SettingChange]:
    """Save the settings in ``values`` that differ from their current value.

    Raises :class:`SettingError` for a value outside its limits or breaking a
    rule between settings; nothing is changed then. Each change is stored in
    the history and audited. Administrators only.
    """
    if not policy.may_use(actor, policy.Section.SETTINGS):
        raise Forbidden("only administrators change settings")
    # Read now, not the request's copy: the history's old values are what is stored.
    current = _stored_now()
    merged = {**current, **_checked(values)}
    for holds, key, message in CROSS_RULES:
        if not holds(merged):
            raise SettingError(message, key)
    now = utcnow()
    changes = []
    for key, value in values.items():
        if value == current[key]:
            continue
        change = SettingChange(key=key, old_value=current[key], new_value=value,
                               changed_by_id=actor.id, changed_at=now)
        stored = db.session.get(Setting, key)
        if stored is None:
            stored = Setting(key=key)
            db.session.add(stored)
        stored.value, stored.updated_by_id, stored.updated_at = value, actor.id, now
        db.session.add(change)
        changes.append(change)
    db.session.flush()
    # What follows reads the new values: the rest of the request, and any
    # request pushed later in the same application context (a CLI command's
    # or a test's), which shares its ``g``.
    if has_app_context():
        g.pop(_REQUEST_KEY, None)
    for change in changes:
        record(AuditAction.SETTING_CHANGED, actor, "setting_change", change.id)
    return changes


def history(page: int = 1):
    """One page of setting changes, newest first (a Pagination)."""
    query = (
        sa.select(SettingChange)
        .options(joinedload(SettingChange.changed_by))
        .order_by(SettingChange.changed_at.desc(), SettingChange.id.desc())
    )
    return admin_page(query, page)
