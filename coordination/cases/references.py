"""Case reference numbers and survivor codes: identifiers that reveal nothing."""
from __future__ import annotations

import random
import secrets

#: Crockford's base-32 alphabet: no I, L, O, U, so references read well aloud.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_reference(year: int, rng: random.Random | None = None) -> str:
    """A random reference such as ``DV-2026-7KQ3M9``.

    Random rather than sequential, so that it says nothing about the person,
    the district or how many cases came before it. ``rng`` is for the
    seeded demo data only; real cases use the system's secure source.
    """
    choose = rng.choice if rng is not None else secrets.choice
    return f"DV-{year}-" + "".join(choose(ALPHABET) for _ in range(6))


def survivor_code(first_name: str, last_name: str, birth_year: int) -> str:
    """Initials and birth year, e.g. ``ЖА-1991``: the only identifier lists show."""
    initials = (first_name.strip()[:1] + last_name.strip()[:1]).upper()
    return f"{initials}-{birth_year}"
