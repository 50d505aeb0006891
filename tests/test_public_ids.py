"""Opaque identifiers in URLs (issue 14, problem 7): a district user must not
learn from a link how many cases were registered nationally, nor bracket the
registrations of other districts between two of their own."""
from __future__ import annotations

import re

import sqlalchemy as sa

from coordination.cases.models import Case
from coordination.extensions import db
from coordination.public_ids import decode, encode
from coordination.referrals.models import Referral
from tests.helpers import pid


def test_case_links_carry_no_database_id(login_as):
    page = login_as("coordinator.sokuluk").get("/cases").text
    links = re.findall(r'href="/cases/([^"?#/]+)"', page)
    tokens = [link for link in links if link != "new"]
    assert tokens
    ids = set(db.session.scalars(sa.select(Case.id)))
    for token in tokens:
        assert not token.isdigit()
        assert decode("case", token) in ids  # each is a real case, written opaquely


def test_an_old_numeric_link_answers_like_a_missing_case(login_as, user):
    client = login_as("coordinator.sokuluk")
    case = db.session.scalar(sa.select(Case).join(Case.district)
                             .where(sa.text("territories.code = '41708222'")).limit(1))
    assert client.get(f"/cases/{pid(case)}").status_code == 200
    assert client.get(f"/cases/{case.id}").status_code == 404


def test_consecutive_ids_give_unrelated_tokens(app):
    with app.test_request_context():
        tokens = [encode("case", n) for n in range(1000, 1010)]
        assert len(set(tokens)) == 10
        assert tokens != sorted(tokens)  # their order says nothing about the ids'
        assert all(decode("case", token) == n for n, token in zip(range(1000, 1010), tokens,
                                                                  strict=True))


def test_a_token_of_one_kind_opens_nothing_of_another(login_as):
    client = login_as("coordinator.sokuluk")
    referral = db.session.scalar(sa.select(Referral).order_by(Referral.id).limit(1))
    # The referral's token read as a case's is no case at all.
    assert decode("case", pid(referral)) is None
    assert client.get(f"/cases/{pid(referral)}").status_code == 404
