"""Password hashing with argon2id, parameters from the app's config."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app


def _hasher() -> PasswordHasher:
    hasher = current_app.extensions.get("argon2")
    if hasher is None:
        config = current_app.config
        hasher = PasswordHasher(
            time_cost=config["ARGON2_TIME_COST"],
            memory_cost=config["ARGON2_MEMORY_COST"],
            parallelism=config["ARGON2_PARALLELISM"],
        )
        current_app.extensions["argon2"] = hasher
    return hasher


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches; a malformed hash counts as no match."""
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with other parameters than today's."""
    return _hasher().check_needs_rehash(password_hash)


#: Verified against when the username is unknown, so that a wrong username
#: costs the same time as a wrong password and does not reveal which it was.
def dummy_verify(password: str) -> None:
    """Spend the time of one verification."""
    hasher = _hasher()
    dummy = current_app.extensions.get("argon2_dummy")
    if dummy is None:
        dummy = current_app.extensions["argon2_dummy"] = hasher.hash("dummy-password")
    verify_password(dummy, password)
