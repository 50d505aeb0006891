"""Folding names so that spellings of one name meet.

A survivor's name is written in Kyrgyz Cyrillic, in Russian Cyrillic (where
Ө, Ү, Ң become О, У, Н) or in Latin letters (a passport's transliteration,
"Omurbekova", or a Turkish-style "Ömürbekova"). The duplicate guard and the
name search compare a *folded* key: every spelling is turned into the same
rough Latin skeleton, so "Өмүрбекова", "Омурбекова" and "Omurbekova" are
all ``omurbekova``. The key is for matching only; it is never shown.

The folding is deliberately coarse (ж/j/zh, х/h/kh, й/ы/и/y all meet):
a false "possible match" costs the user one look; a missed duplicate costs
a survivor a second file no one connects to the first.
"""
from __future__ import annotations

import re
import unicodedata

#: Cyrillic (Russian and Kyrgyz) to a Latin skeleton, before the Latin rules run.
_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e",
    "ж": "j", "з": "z", "и": "i", "й": "i", "к": "k", "л": "l", "м": "m",
    "н": "n", "ң": "n", "о": "o", "ө": "o", "п": "p", "р": "r", "с": "s",
    "т": "t", "у": "u", "ү": "u", "ф": "f", "х": "h", "ц": "ts", "ч": "ch",
    "ш": "sh", "щ": "sh", "ъ": "", "ы": "i", "ь": "", "э": "e", "ю": "iu",
    "я": "ia", "һ": "h", "і": "i",
}

#: Latin spellings of one sound, longest first (applied left to right).
_LATIN = (
    ("dzh", "j"), ("dj", "j"), ("zh", "j"), ("kh", "h"), ("x", "h"), ("y", "i"),
    ("w", "v"), ("q", "k"), ("c", "ts"), ("tsh", "ch"),
)
_LATIN_RE = re.compile("|".join(re.escape(old) for old, _new in _LATIN))
_LATIN_MAP = dict(_LATIN)
_NOT_LETTER = re.compile(r"[^a-z]+")
_REPEATS = re.compile(r"(.)\1+")


def _strip_marks(text: str) -> str:
    """Latin letters without their accents (ö -> o, ü -> u, ñ -> n)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold_word(text: str | None) -> str:
    """One name folded to its skeleton: lower-case Latin letters only."""
    if not text:
        return ""
    lowered = text.strip().lower()
    latin = "".join(_CYRILLIC.get(ch, ch) for ch in lowered)
    latin = _strip_marks(latin)
    latin = _LATIN_RE.sub(lambda match: _LATIN_MAP[match.group(0)], latin)
    latin = _NOT_LETTER.sub("", latin)
    # Doubled letters come and go between spellings (Аалы / Aly).
    return _REPEATS.sub(r"\1", latin)


def fold_text(text: str | None) -> str:
    """Words of a search text, each folded, joined by single spaces."""
    return " ".join(word for word in (fold_word(w) for w in (text or "").split()) if word)


def name_key(last_name: str | None, first_name: str | None, patronymic: str | None) -> str:
    """The stored key of a person: surname, given name and patronymic folded.

    The surname and given name come first so that a key without patronymic
    is a prefix of the one with it (the duplicate guard compares prefixes).
    """
    parts = [fold_word(last_name), fold_word(first_name), fold_word(patronymic)]
    return " ".join(part for part in parts if part)
