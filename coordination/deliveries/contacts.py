"""A user's own addresses for deliveries (their profile)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext as _

from coordination.accounts.models import User
from coordination.audit.models import AuditAction
from coordination.audit.services import record
from coordination.extensions import db
from coordination.refusals import RuleBroken

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_PHONE = re.compile(r"\+?[0-9][0-9 ()-]{6,38}")


@dataclass(frozen=True)
class Contacts:
    email: str | None
    phone: str | None


def set_own_contacts(user: User, contacts: Contacts) -> bool:
    """Set where the user is told that something waits (empty: nowhere).
    Returns whether anything changed; audited without the values."""
    email = (contacts.email or "").strip() or None
    phone = (contacts.phone or "").strip() or None
    if email is not None and (len(email) > 254 or not _EMAIL.fullmatch(email)):
        raise RuleBroken(_("Enter an e-mail address such as name@example.kg."), "email")
    if phone is not None and not _PHONE.fullmatch(phone):
        raise RuleBroken(_("Enter a phone number such as +996 555 123456."), "phone")
    if (email, phone) == (user.email, user.phone):
        return False
    user.email, user.phone = email, phone
    db.session.flush()
    record(AuditAction.CONTACTS_CHANGED, user, "user", user.id)
    return True
