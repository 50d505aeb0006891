"""Two-factor sign-in with TOTP codes (RFC 6238, pyotp).

A user turns it on in their profile: a secret is made, shown as text and as
a QR code, and switched on only once the user has typed a current code from
their authenticator app. They get one-time recovery codes for a lost phone
(only argon2 hashes are kept). From then on a password alone does not sign
them in: ``authenticate`` answers ``CODE_NEEDED`` and
:func:`verify_login_code` finishes the sign-in. Wrong codes count towards the
same lockout as wrong passwords; a code's time step is never accepted twice.

The secret is stored encrypted (Fernet) with a key derived from the app's
``SECRET_KEY``, so that a copy of the database alone does not give it away;
keys in ``SECRET_KEY_FALLBACKS`` still decrypt after a rotation.

The administrator decides, per group of users, whether two-factor sign-in is
required (settings ``two_factor_required_*``); a user who must have it and
does not is sent to set it up before anything else (``coordination.security``).
"""
from __future__ import annotations

import base64
import enum
import hmac
import io
import logging
import re
from datetime import UTC, datetime

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from flask_babel import lazy_gettext as _l

from coordination import policy
from coordination.accounts import session_store
from coordination.accounts.models import (
    RecoveryCode,
    Role,
    SessionEnd,
    TwoFactorCredential,
    User,
)
from coordination.accounts.passwords import (
    TEMPORARY_ALPHABET,
    hash_temporary_password,
    random_code,
    verify_password,
)
from coordination.accounts.services import AccountError, complete_login, register_failure
from coordination.agencies.models import AgencyType
from coordination.audit.models import AuditAction
from coordination.audit.services import record
from coordination.extensions import db
from coordination.models_base import utcnow
from coordination.refusals import Forbidden
from coordination.settings.services import all_settings

log = logging.getLogger(__name__)

#: Codes of one time step before and after now are accepted too: phones'
#: clocks drift, and typing takes time.
VALID_WINDOW = 1
#: Six digits, as every authenticator app shows them.
TOTP_CODE = re.compile(r"\d{6}")
#: A recovery code without its hyphens: three groups of four (about 59 bits).
RECOVERY_CODE = re.compile(f"[{TEMPORARY_ALPHABET}]{{12}}")
RECOVERY_CODE_GROUPS = 3

#: Salt-free HKDF is fine here: the input is a random key, not a password.
_KEY_INFO = b"coordination/two-factor-secret/v1"


class CodeOutcome(enum.Enum):
    """What a code typed at sign-in did."""

    #: A current TOTP code: signed in.
    ACCEPTED = "accepted"
    #: An unused recovery code: signed in, and the code is spent.
    RECOVERY_CODE = "recovery_code"
    REFUSED = "refused"
    #: The account is locked (now, or by this failure).
    LOCKED = "locked"


# --- the secret at rest ------------------------------------------------------------


def _fernet_key(secret_key: str | bytes) -> bytes:
    material = secret_key.encode() if isinstance(secret_key, str) else secret_key
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                   info=_KEY_INFO).derive(material)
    return base64.urlsafe_b64encode(derived)


def _cipher() -> MultiFernet:
    """The current key first (it encrypts), then any fallbacks (they decrypt)."""
    config = current_app.config
    keys = [config["SECRET_KEY"], *(config.get("SECRET_KEY_FALLBACKS") or ())]
    return MultiFernet([Fernet(_fernet_key(key)) for key in keys])


def encrypt_secret(secret: str) -> str:
    """``secret`` encrypted for storage."""
    return _cipher().encrypt(secret.encode("ascii")).decode("ascii")


def decrypt_secret(stored: str) -> str | None:
    """The stored secret in clear, or None when no configured key opens it."""
    try:
        return _cipher().decrypt(stored.encode("ascii")).decode("ascii")
    except InvalidToken:
        # No user data in the log: the administrator resets the user's two-factor.
        log.warning("a two-factor secret cannot be decrypted: was SECRET_KEY changed "
                    "without keeping the old one in SECRET_KEY_FALLBACKS?")
        return None


# --- codes ------------------------------------------------------------------------


def _timestamp(now: datetime | None) -> float:
    # Our datetimes are naive UTC; pyotp would read a naive one as local time.
    return (now or utcnow()).replace(tzinfo=UTC).timestamp()


def _normalised(code: str) -> str:
    return "".join(code.split()).lower()


def _matching_step(secret: str, code: str, now: datetime | None, after: int | None) -> int | None:
    """The time step (within the window around ``now``, later than ``after``)
    whose code is ``code``, or None."""
    totp = pyotp.TOTP(secret)
    current = totp.timecode(_timestamp(now))
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if after is not None and step <= after:
            continue  # already used: a code seen once (over a shoulder, in a log) is dead
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _use_totp_code(credential: TwoFactorCredential, code: str, now: datetime | None) -> bool:
    secret = decrypt_secret(credential.secret)
    if secret is None:
        return False
    step = _matching_step(secret, code, now, credential.last_used_step)
    if step is None:
        return False
    credential.last_used_step = step
    if current_app.config.get("SECRET_KEY_FALLBACKS"):
        # Perhaps encrypted under an old key: store it under the current one.
        credential.secret = encrypt_secret(secret)
    return True


def _use_recovery_code(user: User, code: str, now: datetime | None) -> bool:
    plain = code.replace("-", "")
    if not RECOVERY_CODE.fullmatch(plain):
        return False
    for recovery in user.recovery_codes:
        if recovery.used_at is None and verify_password(recovery.code_hash, plain):
            recovery.used_at = now or utcnow()
            return True
    return False


def _use_code(user: User, code: str, now: datetime | None) -> CodeOutcome:
    """Check ``code`` (TOTP or recovery) for a user with two-factor on; spend it."""
    code = _normalised(code)
    if TOTP_CODE.fullmatch(code):
        accepted = _use_totp_code(user.two_factor, code, now)
        return CodeOutcome.ACCEPTED if accepted else CodeOutcome.REFUSED
    if _use_recovery_code(user, code, now):
        return CodeOutcome.RECOVERY_CODE
    return CodeOutcome.REFUSED


def verify_login_code(user: User, code: str, now: datetime | None = None) -> CodeOutcome:
    """The second step of a sign-in, after the right password.

    A right code (TOTP or an unused recovery code) completes the sign-in and
    clears the failures in a row; a wrong one counts as a failed sign-in and
    locks the account after ``LOGIN_MAX_FAILURES``. A locked account is
    refused without checking the code. Everything is audited.
    """
    if user.is_locked:
        record(AuditAction.LOGIN_LOCKED, user, "user", user.id)
        return CodeOutcome.LOCKED
    outcome = (_use_code(user, code, now) if user.has_two_factor and user.is_active
               else CodeOutcome.REFUSED)
    if outcome is CodeOutcome.REFUSED:
        register_failure(user, AuditAction.LOGIN_CODE_FAILED)
        return CodeOutcome.LOCKED if user.is_locked else CodeOutcome.REFUSED
    complete_login(user, AuditAction.LOGIN_TWO_FACTOR_SUCCEEDED
                   if outcome is CodeOutcome.ACCEPTED else AuditAction.LOGIN_RECOVERY_CODE_USED)
    return outcome


# --- enrolment --------------------------------------------------------------------


def begin_enrolment(user: User) -> str:
    """The secret being set up for ``user``: the one already begun, or a new one.

    Raises :class:`AccountError` when two-factor sign-in is already on.
    """
    if user.has_two_factor:
        raise AccountError(_l("Two-factor sign-in is already on."))
    secret = decrypt_secret(user.two_factor.secret) if user.two_factor else None
    if secret is None:
        secret = pyotp.random_base32()  # 32 characters: 160 bits, as RFC 4226 advises
        if user.two_factor is None:
            user.two_factor = TwoFactorCredential(secret=encrypt_secret(secret))
        else:
            user.two_factor.secret = encrypt_secret(secret)
        db.session.flush()
    return secret


def pending_secret(user: User) -> str | None:
    """The secret of an enrolment begun but not yet confirmed, or None."""
    if user.two_factor is None or user.has_two_factor:
        return None
    return decrypt_secret(user.two_factor.secret)


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type: ``ABCD EFGH ...``."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def provisioning_uri(user: User, secret: str) -> str:
    """The ``otpauth://`` address that authenticator apps read from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(
        name=user.username, issuer_name=current_app.config["TWO_FACTOR_ISSUER"])


def qr_code_svg(uri: str) -> bytes:
    """``uri`` as a QR code: SVG with no script and no inline style."""
    buffer = io.BytesIO()
    segno.make(uri, error="m").save(buffer, kind="svg", scale=5, border=4, xmldecl=False,
                                    dark="#000", light="#fff")
    return buffer.getvalue()


def confirm_enrolment(user: User, code: str, now: datetime | None = None) -> list[str]:
    """Switch two-factor sign-in on, once the user has typed a current code.

    Returns the new recovery codes, to be shown once. Signs the user out of
    every other session (the caller starts the current one again): a session
    opened by someone who knew only the password ends here. Raises
    :class:`AccountError` for a wrong code or when no set-up was begun.
    """
    credential = user.two_factor
    if credential is None or credential.confirmed_at is not None:
        raise AccountError(_l("Start the set-up again."))
    secret = decrypt_secret(credential.secret)
    code = _normalised(code)
    step = (_matching_step(secret, code, now, None)
            if secret is not None and TOTP_CODE.fullmatch(code) else None)
    if step is None:
        raise AccountError(_l("This code is not the current one. Check that the phone's "
                              "time is set automatically, and type the code now shown."),
                           "code")
    credential.confirmed_at = now or utcnow()
    credential.last_used_step = step
    codes = _new_recovery_codes(user)
    user.session_epoch += 1
    session_store.end_all(user, SessionEnd.CREDENTIALS_CHANGED)
    record(AuditAction.TWO_FACTOR_ENABLED, user, "user", user.id)
    return codes


def _new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes; returns the new ones in clear."""
    codes = [random_code(RECOVERY_CODE_GROUPS)
             for _ in range(current_app.config["TWO_FACTOR_RECOVERY_CODES"])]
    user.recovery_codes.clear()
    db.session.flush()
    user.recovery_codes.extend(
        RecoveryCode(code_hash=hash_temporary_password(code.replace("-", ""))) for code in codes)
    db.session.flush()
    return codes


def unused_recovery_codes(user: User) -> int:
    """How many recovery codes the user has left."""
    return sum(1 for code in user.recovery_codes if code.used_at is None)


# --- changing it later ------------------------------------------------------------


def _check_password_and_code(user: User, password: str, code: str, now: datetime | None):
    if not user.has_two_factor:
        raise AccountError(_l("Two-factor sign-in is not on."))
    if not verify_password(user.password_hash, password):
        raise AccountError(_l("The password is wrong."), "password")
    if _use_code(user, code, now) is CodeOutcome.REFUSED:
        raise AccountError(_l("The code is wrong."), "code")


def disable(user: User, password: str, code: str, now: datetime | None = None) -> None:
    """The user turns two-factor sign-in off, with their password and a code.

    Refused (:class:`AccountError`) when it is required for the user, or for
    a wrong password or code.
    """
    if required_for(user):
        raise AccountError(_l("Two-factor sign-in is required for your account; it cannot "
                              "be turned off."))
    _check_password_and_code(user, password, code, now)
    _remove(user)
    record(AuditAction.TWO_FACTOR_DISABLED, user, "user", user.id)


def renew_recovery_codes(user: User, password: str, code: str,
                         now: datetime | None = None) -> list[str]:
    """New recovery codes (the old ones stop working), with the password and a code."""
    _check_password_and_code(user, password, code, now)
    codes = _new_recovery_codes(user)
    record(AuditAction.RECOVERY_CODES_RENEWED, user, "user", user.id)
    return codes


def reset(actor: User, target: User) -> None:
    """Turn off ``target``'s two-factor sign-in (a lost phone): administrators,
    and agency heads for their own agency's members.

    The user signs in with their password alone and sets it up again (at once,
    when it is required for them). Raises :class:`Forbidden` when the policy
    refuses, :class:`AccountError` for your own account or when there is
    nothing to reset.
    """
    if not policy.can(actor, policy.Action.MANAGE_USER, target):
        raise Forbidden("this user may not manage this account")
    if target.id == actor.id:
        raise AccountError(_l("Turn your own two-factor sign-in off in your profile."))
    _reset(target, actor)


def reset_by_operator(target: User) -> None:
    """The server's operator resets ``target``'s two-factor sign-in
    (``flask reset-two-factor``): the way back in for an administrator who
    lost both their phone and their recovery codes. Audited without a user."""
    _reset(target, None)


def _reset(target: User, actor: User | None) -> None:
    if target.two_factor is None and not target.recovery_codes:
        raise AccountError(_l("This user has not set up two-factor sign-in."))
    _remove(target)
    record(AuditAction.TWO_FACTOR_RESET, actor, "user", target.id)


def _remove(user: User) -> None:
    user.two_factor = None
    user.recovery_codes.clear()
    db.session.flush()


# --- who must use it --------------------------------------------------------------


def required_for(user: User) -> bool:
    """Whether the settings require two-factor sign-in of ``user``.

    Administrators count only as administrators; anyone else is covered by
    each group they belong to: committee staff, agency heads, ministry users.
    """
    settings = all_settings()
    if user.role == Role.ADMIN:
        return settings["two_factor_required_admins"]
    return (
        # An account an administrator minted, confirmed by its agency head:
        # its first case view comes after two-factor is set up (issue 14).
        (user.confirmed_by_id is not None and settings["two_factor_required_confirmed"])
        or (user.agency.type == AgencyType.COMMITTEE and settings["two_factor_required_committee"])
        or (user.role == Role.LEAD and settings["two_factor_required_leads"])
        or (user.agency.type == AgencyType.MINISTRY and settings["two_factor_required_ministry"])
    )


def must_enrol(user: User) -> bool:
    """Whether ``user`` must set up two-factor sign-in before anything else."""
    return not user.has_two_factor and required_for(user)
