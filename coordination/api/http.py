"""What every API call goes through: the client's token and scopes, the
rate limit, the audit of the call, ETag/If-Match, Idempotency-Key and
cursor pagination."""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable
from functools import wraps

from flask import current_app, g, jsonify, request
from flask_babel import lazy_gettext as _l
from limits import parse as parse_limit
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from coordination.api.clients import client_of_token
from coordination.api.models import IdempotencyRecord, Scope
from coordination.audit.models import AuditAction
from coordination.audit.services import record
from coordination.extensions import db
from coordination.pipeline import allow_write
from coordination.refusals import Forbidden, Refusal, RuleBroken


class Unauthorized(Refusal):
    """No token, or one that is unknown, expired or revoked."""

    status = 401


class PreconditionFailed(Refusal):
    """``If-Match`` names a version that is no longer the current one."""

    status = 412


class PreconditionRequired(Refusal):
    """A change was sent without ``If-Match``."""

    status = 428


class TooManyRequests(Refusal):
    status = 429


# --- the client --------------------------------------------------------------------


def authenticate() -> None:
    """Recognise the client of the ``Authorization: Bearer`` token and act
    as its service user for the rest of the request (the session's user,
    if a browser sent a cookie, is ignored under /api/)."""
    scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
    client = client_of_token(token.strip()) if scheme.lower() == "bearer" else None
    if client is None:
        raise Unauthorized(_l("Send a valid API token: Authorization: Bearer <token>."))
    # The deployment's key prefix, as for the sign-in limiter: two
    # deployments (or test runs) sharing one Redis do not count together.
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX") or ""
    if not _rate_limiter().hit(parse_limit(f"{client.rate_per_minute}/minute"), prefix,
                               "api-client", str(client.id)):
        raise TooManyRequests(_l("Too many calls from this client; wait a minute."))
    g.api_client = client
    g._login_user = client.service_user  # Flask-Login's current_user
    # Every call is audited (the service user names the client); a GET's
    # one documented write.
    record(AuditAction.API_CALL, client.service_user, "api_client", client.id)
    allow_write("audit of an API call")


def _rate_limiter() -> FixedWindowRateLimiter:
    """Per-client counters in ``RATELIMIT_STORAGE_URI``: Redis when
    ``REDIS_URL`` is set, so that every app process counts together."""
    limiter = current_app.extensions.get("api_rate_limiter")
    if limiter is None:
        storage = storage_from_string(current_app.config.get("RATELIMIT_STORAGE_URI")
                                      or "memory://")
        limiter = current_app.extensions["api_rate_limiter"] = FixedWindowRateLimiter(storage)
    return limiter


def requires(scope: Scope) -> Callable:
    """The route needs ``scope`` (beside what the policy says for the agency)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if scope not in g.api_client.scope_set:
                raise Forbidden(_l("This client's registration does not include this."))
            return view(*args, **kwargs)

        wrapped.api_scope = scope
        return wrapped

    return decorator


# --- versions: ETag and If-Match ----------------------------------------------------


def etag(obj) -> str:
    return f'"v{obj.version}"'


def with_etag(response, obj):
    response.headers["ETag"] = etag(obj)
    return response


def expected_version(obj) -> int:
    """The version ``If-Match`` names; 428 without it, 412 when it is stale."""
    header = request.headers.get("If-Match")
    if not header:
        raise PreconditionRequired(_l("Send If-Match with the ETag you read."))
    tags = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    if etag(obj) not in tags and "*" not in tags:
        raise PreconditionFailed(_l("It changed since you read it; read it again."))
    return obj.version


# --- Idempotency-Key ----------------------------------------------------------------


def idempotent(view):
    """A POST with the same ``Idempotency-Key`` (per client) is answered
    from the stored answer and changes nothing twice; the same key with
    another request is refused (422)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        key = request.headers.get("Idempotency-Key", "").strip()
        if not 1 <= len(key) <= 100:
            raise RuleBroken(_l("Send an Idempotency-Key header (1 to 100 characters)."),
                             field="Idempotency-Key")
        digest = hashlib.sha256(b"\n".join([request.method.encode(), request.path.encode(),
                                            request.get_data()])).hexdigest()
        client = g.api_client
        stored = db.session.scalar(db.select(IdempotencyRecord).where(
            IdempotencyRecord.client_id == client.id, IdempotencyRecord.key == key))
        if stored is not None:
            if stored.request_hash != digest:
                raise RuleBroken(_l("This Idempotency-Key was used for another request."),
                                 field="Idempotency-Key")
            response = current_app.response_class(stored.body, status=stored.status,
                                                  mimetype="application/json")
            response.headers["Idempotent-Replayed"] = "true"
            return response
        response = view(*args, **kwargs)
        db.session.add(IdempotencyRecord(client_id=client.id, key=key, request_hash=digest,
                                         status=response.status_code,
                                         body=response.get_data(as_text=True)))
        db.session.flush()
        return response

    wrapped.api_idempotent = True
    return wrapped


# --- JSON in and out ---------------------------------------------------------------


def json_body(schema) -> dict:
    """The request's JSON, validated by the marshmallow ``schema`` (422)."""
    from marshmallow import ValidationError

    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise RuleBroken(_l("Send a JSON object (Content-Type: application/json)."))
    try:
        return schema.load(data)
    except ValidationError as error:
        field = next(iter(error.messages), None) if isinstance(error.messages, dict) else None
        raise RuleBroken(_l("Some fields are missing or not valid: %(fields)s.",
                            fields=", ".join(sorted(map(str, error.messages)))),
                         field=str(field) if field else None) from None


def answer(schema, obj, status: int = 200):
    response = jsonify(schema.dump(obj))
    response.status_code = status
    return response


# --- cursor pagination -------------------------------------------------------------

MAX_LIMIT = 100


def page_args() -> tuple[int, int]:
    """``(after_id, limit)`` from ``?cursor=&limit=``; the cursor is opaque."""
    limit = request.args.get("limit", 50, type=int)
    if not 1 <= limit <= MAX_LIMIT:
        raise RuleBroken(_l("limit must be between 1 and 100."), field="limit")
    cursor = request.args.get("cursor")
    if not cursor:
        return 0, limit
    try:
        after = json.loads(base64.urlsafe_b64decode(cursor.encode() + b"==").decode())["after"]
        if not isinstance(after, int) or after < 0:
            raise ValueError
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError):
        raise RuleBroken(_l("The cursor is not one this API gave."), field="cursor") from None
    return after, limit


def page_of(query, id_column, schema):
    """One page of ``query`` in id order after the cursor, and the next cursor.

    ``schema``: a schema, or a function giving the schema for the page's rows
    (when what a row shows depends on the others: one query for the page).
    """
    after, limit = page_args()
    rows = list(db.session.scalars(query.where(id_column > after).order_by(id_column)
                                   .limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    cursor = None
    if more:
        cursor = base64.urlsafe_b64encode(json.dumps({"after": rows[-1].id}).encode()) \
            .decode().rstrip("=")
    if not hasattr(schema, "dump"):
        schema = schema(rows)
    return jsonify({"items": schema.dump(rows, many=True), "next_cursor": cursor})
