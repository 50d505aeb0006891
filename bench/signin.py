"""Sign-in timed in two parts: the password hash, slow on purpose (argon2id
at the configured cost), and everything else the POST does (the form and
its CSRF token, the limits, looking the account up, the server-side session,
the audit entry, the commit), which should be fast."""
from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from argon2 import PasswordHasher


@dataclass
class HashClock:
    """Seconds spent in argon2 (verifying and hashing) since :meth:`reset`."""

    spent: float = 0.0
    calls: list[str] = field(default_factory=list)

    def reset(self) -> None:
        self.spent = 0.0
        self.calls.clear()


@contextmanager
def hashing_clock() -> Iterator[HashClock]:
    """Time every argon2 verification and hash made meanwhile (this process)."""
    clock = HashClock()
    originals = {name: getattr(PasswordHasher, name) for name in ("verify", "hash")}

    def timed(name, original):
        def run(self, *args, **kwargs):
            started = time.perf_counter()
            try:
                return original(self, *args, **kwargs)
            finally:
                clock.spent += time.perf_counter() - started
                clock.calls.append(name)
        return run

    for name, original in originals.items():
        setattr(PasswordHasher, name, timed(name, original))
    try:
        yield clock
    finally:
        for name, original in originals.items():
            setattr(PasswordHasher, name, original)


def time_sign_ins(app, username: str, password: str, token_of: Callable[[str], str],
                  repeat: int) -> tuple[list[float], list[float]]:
    """(whole POST /login, the hash's part of it) in seconds, ``repeat`` times
    after one warm-up, each a new browser signing in through the real form."""
    wholes, hashes = [], []
    with hashing_clock() as clock:
        for attempt in range(repeat + 1):
            client = app.test_client()
            token = token_of(client.get("/login").text)
            clock.reset()
            started = time.perf_counter()
            response = client.post("/login", data={"username": username, "password": password,
                                                   "csrf_token": token})
            whole = time.perf_counter() - started
            if response.status_code != 302:
                raise SystemExit(f"bench: sign-in of {username} answered {response.status_code}")
            if not clock.calls:
                raise SystemExit("bench: the sign-in verified no password hash")
            if attempt:  # the first may rehash a stored hash made with other parameters
                wholes.append(whole)
                hashes.append(clock.spent)
    return wholes, hashes
