"""Password hashing with argon2id, parameters from the app's config."""
from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app


def _hasher(prefix: str = "ARGON2") -> PasswordHasher:
    """The hasher with the parameters ``<prefix>_TIME_COST`` etc. from the config."""
    name = prefix.lower()
    hasher = current_app.extensions.get(name)
    if hasher is None:
        config = current_app.config
        hasher = PasswordHasher(
            time_cost=config[f"{prefix}_TIME_COST"],
            memory_cost=config[f"{prefix}_MEMORY_COST"],
            parallelism=config[f"{prefix}_PARALLELISM"],
        )
        current_app.extensions[name] = hasher
    return hasher


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    return _hasher().hash(password)


#: Lower-case letters and digits that cannot be mistaken for one another
#: (no 0/o, 1/l/i), easy to type on a phone.
TEMPORARY_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"


def random_code(groups: int) -> str:
    """Groups of four random characters of :data:`TEMPORARY_ALPHABET`, joined
    by hyphens (about 19.8 bits a group)."""
    parts = ("".join(secrets.choice(TEMPORARY_ALPHABET) for _ in range(4)) for _ in range(groups))
    return "-".join(parts)


def new_temporary_password() -> str:
    """A random password such as ``k7mq-3xpa-9ttd-h2re`` (about 79 bits)."""
    return random_code(4)


def hash_temporary_password(password: str) -> str:
    """An argon2id hash with the light parameters for generated passwords.

    Only for generated secrets (:func:`random_code`: temporary passwords,
    recovery codes): their randomness, not the hash's cost, is what protects
    them (see ``TEMPORARY_PASSWORD_ARGON2_*``).
    """
    return _hasher("TEMPORARY_PASSWORD_ARGON2").hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches; a malformed hash counts as no match."""
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with other parameters than today's."""
    try:
        return _hasher().check_needs_rehash(password_hash)
    except (InvalidHashError, ValueError):
        return True


def verify_password_evenly(password_hash: str, password: str) -> bool:
    """:func:`verify_password` taking at least the time of a full-cost
    verification: a temporary password's light hash (or an old one) is
    followed by a dummy full one, so that the answer's timing does not tell
    which accounts hold a temporary password."""
    matches = verify_password(password_hash, password)
    if needs_rehash(password_hash):
        dummy_verify(password)
    return matches


#: Verified against when the username is unknown, so that a wrong username
#: costs the same time as a wrong password and does not reveal which it was.
def dummy_verify(password: str) -> None:
    """Spend the time of one verification."""
    hasher = _hasher()
    dummy = current_app.extensions.get("argon2_dummy")
    if dummy is None:
        dummy = current_app.extensions["argon2_dummy"] = hasher.hash("dummy-password")
    verify_password(dummy, password)
