"""Opaque identifiers for case records in URLs.

A database id in a URL would tell a district user how many cases (or
referrals, orders...) were registered nationally, and two of their own
registrations would bracket how many were registered elsewhere in between: a
count that never passed disclosure control. URLs carry instead a keyed
permutation of the id: a 64-bit block cipher (a four-round Feistel network
whose round function is HMAC-SHA256 under a key derived from ``SECRET_KEY``
and the kind of record), written in 13 base-32 letters. Without the key a
token says nothing about the id, its order or its neighbours; a case token
does not open a referral; an old numeric link, or a made-up token, decodes
to nothing and answers 404 like any unknown record.

Kept in no column, so nothing to migrate, index or fill in bulk loads. A new
``SECRET_KEY`` changes every link (bookmarks then answer 404; the case
reference number still finds the case).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
from functools import lru_cache

from flask import current_app
from werkzeug.routing import BaseConverter

#: Ids above this are not ours: a decoded block with higher bits set is a
#: made-up token (2^-24 chance of passing for a random one).
_ID_BITS = 40
_TOKEN = re.compile(r"[a-z2-7]{13}")
_ROUNDS = 4


def _round_keys(kind: str) -> tuple[bytes, ...]:
    return _keys(current_app.config["SECRET_KEY"], kind)


# A page writes dozens of links: the keys are derived once per secret and kind.
@lru_cache(maxsize=64)
def _keys(secret: str, kind: str) -> tuple[bytes, ...]:
    return tuple(hmac.digest(secret.encode(), f"public-id:{kind}:{n}".encode(), hashlib.sha256)
                 for n in range(_ROUNDS))


def _f(key: bytes, half: int) -> int:
    return int.from_bytes(hmac.digest(key, half.to_bytes(4, "big"), hashlib.sha256)[:4], "big")


def encode(kind: str, record_id: int) -> str:
    """The URL token of record ``record_id`` of ``kind``."""
    if not 0 <= record_id < 1 << _ID_BITS:
        raise ValueError("record id out of range")
    return _encode(_round_keys(kind), record_id)


@lru_cache(maxsize=4096)
def _encode(keys: tuple[bytes, ...], record_id: int) -> str:
    left, right = record_id >> 32, record_id & 0xFFFFFFFF
    for key in keys:
        left, right = right, left ^ _f(key, right)
    block = (left << 32 | right).to_bytes(8, "big")
    return base64.b32encode(block).decode().rstrip("=").lower()


def decode(kind: str, token: str) -> int | None:
    """The record id of ``token``, or None for anything that is not one."""
    if not isinstance(token, str) or not _TOKEN.fullmatch(token):
        return None
    try:
        block = int.from_bytes(base64.b32decode(token.upper() + "===", casefold=False), "big")
    except ValueError:
        return None
    left, right = block >> 32, block & 0xFFFFFFFF
    for key in reversed(_round_keys(kind)):
        left, right = right ^ _f(key, left), left
    record_id = left << 32 | right
    if record_id >> _ID_BITS or encode(kind, record_id) != token:
        return None  # not ours, or a second spelling of one (the last letter's spare bit)
    return record_id


class RecordId(int):
    """The id a URL named, remembering the token it was written as."""

    token: str

    def __new__(cls, record_id: int, token: str):
        self = super().__new__(cls, record_id)
        self.token = token
        return self


def kind_converter(kind: str) -> type[BaseConverter]:
    """A URL converter for records of ``kind``: ``url_for`` takes the record
    or its id, the view gets the id (a token that is not one answers 404)."""

    class Converter(BaseConverter):
        # Anything id-like routes, so that the section's rule answers first
        # (anonymous -> sign-in, another role -> 403); a token that is not
        # one of ours becomes id 0, which no record has: the loader's 404.
        regex = r"[A-Za-z0-9_-]{1,64}"

        def to_python(self, value: str) -> int:
            return RecordId(decode(kind, value) or 0, value)

        def to_url(self, value) -> str:
            if isinstance(value, RecordId):  # the URL as it came (the language links)
                return value.token
            return encode(kind, getattr(value, "id", value))

    Converter.__name__ = f"{kind.title().replace('_', '')}IdConverter"
    return Converter


#: URL converter name -> what it names. Each kind has its own key.
KINDS = ("case", "referral", "follow_up", "order", "programme", "consent", "meeting",
         "agenda_item", "document", "note", "transfer", "person", "delivery",
         "incoming_report", "meeting_document", "incident")


#: The kind of each model whose records URLs name, by class name.
KIND_OF = {"Case": "case", "Referral": "referral", "FollowUp": "follow_up",
           "ProtectionOrder": "order", "CorrectionalProgramme": "programme",
           "ConsentRecord": "consent", "Meeting": "meeting", "AgendaItem": "agenda_item",
           "CaseDocument": "document", "CaseNote": "note", "CaseTransfer": "transfer",
           "Person": "person", "Delivery": "delivery", "IncomingReport": "incoming_report",
           "MeetingDocument": "meeting_document", "Incident": "incident"}


def token(record) -> str:
    """The URL token of a loaded record (links built outside ``url_for``)."""
    return encode(KIND_OF[type(record).__name__], record.id)


def init_app(app) -> None:
    for kind in KINDS:
        app.url_map.converters[kind] = kind_converter(kind)
