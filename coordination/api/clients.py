"""Registering API clients, their tokens, and recognising a client's call.

A token is ``<prefix>.<secret>``: the prefix finds the client's row, the
secret (256 random bits) is compared with its SHA-256 in constant time. The
token is returned once, by :func:`register` and :func:`rotate`, and never
stored.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from coordination import policy
from coordination.accounts.models import Role, User
from coordination.agencies.models import Agency
from coordination.api.models import ApiClient, Scope
from coordination.audit.models import AuditAction
from coordination.audit.services import record
from coordination.extensions import db
from coordination.models_base import utcnow
from coordination.refusals import Forbidden, RuleBroken

#: How long a token lives unless the registration says otherwise.
DEFAULT_LIFETIME = timedelta(days=365)
MAX_LIFETIME = timedelta(days=2 * 365)
#: Not an argon2 hash: no password ever verifies against it.
NO_PASSWORD = "!api-client"  # nosec B105


@dataclass(frozen=True)
class ClientData:
    name: str
    agency_id: int
    scopes: frozenset[Scope]
    lifetime_days: int = 365
    rate_per_minute: int = 120


def _new_token() -> tuple[str, str, str]:
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    return f"{prefix}.{secret}", prefix, _digest(secret)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def manageable_clients(user: User) -> sa.Select:
    """``SELECT`` of the clients ``user`` may manage: all for the
    administrator, their agency's for an agency head (as for accounts)."""
    agencies = policy.manageable_agencies(user).with_only_columns(Agency.id)
    return sa.select(ApiClient).where(ApiClient.agency_id.in_(agencies))


def register(user: User, data: ClientData, now: datetime | None = None
             ) -> tuple[ApiClient, str]:
    """Register a client for an agency; returns it and its token (shown once).

    Raises :class:`Forbidden` for an agency ``user`` may not manage, and
    :class:`RuleBroken` for a scope the agency's clients may not hold."""
    now = now or utcnow()
    agency = db.session.get(Agency, data.agency_id)
    if agency is None or not policy.can(user, policy.Action.CREATE_USER_IN, agency):
        raise Forbidden("may not register clients for this agency")
    name = data.name.strip()
    if not name:
        raise RuleBroken(_("Give the client a name."), field="name")
    if not data.scopes:
        raise RuleBroken(_("Choose at least one permission."), field="scopes")
    if not all(policy.may_hold_scope(agency, scope) for scope in data.scopes):
        raise RuleBroken(_("Only a court's client may read the status of protection orders."),
                         field="scopes")
    if not 1 <= data.lifetime_days <= MAX_LIFETIME.days:
        raise RuleBroken(_("A token lives between 1 and 730 days."), field="lifetime_days")
    service_user = User(
        username=f"api-{secrets.token_hex(6)}", full_name=f"API: {name}"[:200],
        agency_id=agency.id, role=Role.MEMBER,
        # Nobody signs in as a client on a page: a hash no password matches,
        # and the account is not among those anyone manages (policy).
        active=True, password_hash=NO_PASSWORD,
    )
    db.session.add(service_user)
    db.session.flush()
    token, prefix, digest = _new_token()
    client = ApiClient(
        name=name, agency_id=agency.id, service_user_id=service_user.id,
        scopes=" ".join(sorted(scope.value for scope in data.scopes)),
        token_prefix=prefix, token_hash=digest,
        expires_at=now + timedelta(days=data.lifetime_days),
        rate_per_minute=data.rate_per_minute, created_by_id=user.id, created_at=now,
    )
    db.session.add(client)
    db.session.flush()
    record(AuditAction.API_CLIENT_REGISTERED, user, "api_client", client.id)
    return client, token


def _check_manager(user: User, client: ApiClient) -> None:
    if db.session.scalar(manageable_clients(user).where(ApiClient.id == client.id)) is None:
        raise Forbidden("may not manage this client")


def rotate(user: User, client: ApiClient, now: datetime | None = None) -> str:
    """A new token (the old one stops working now), with a fresh lifetime."""
    _check_manager(user, client)
    if client.revoked_at is not None:
        raise RuleBroken(_("This client was revoked; register a new one."))
    now = now or utcnow()
    lifetime = client.expires_at - client.created_at
    token, prefix, digest = _new_token()
    client.token_prefix, client.token_hash = prefix, digest
    client.expires_at = now + min(lifetime, MAX_LIFETIME)
    record(AuditAction.API_CLIENT_ROTATED, user, "api_client", client.id)
    db.session.flush()
    return token


def revoke(user: User, client: ApiClient, now: datetime | None = None) -> None:
    """The client's token stops working for good."""
    _check_manager(user, client)
    if client.revoked_at is None:
        client.revoked_at = now or utcnow()
        record(AuditAction.API_CLIENT_REVOKED, user, "api_client", client.id)
        db.session.flush()


def client_of_token(token: str | None, now: datetime | None = None) -> ApiClient | None:
    """The usable client whose token this is, or None."""
    prefix, _sep, secret = (token or "").partition(".")
    if not prefix or not secret or len(prefix) > 16:
        return None
    client = db.session.scalar(sa.select(ApiClient).where(ApiClient.token_prefix == prefix))
    if client is None or not hmac.compare_digest(client.token_hash, _digest(secret)):
        return None
    return client if client.usable(now or utcnow()) else None
