"""Error pages in the user's language, with no trace and no personal data."""
from __future__ import annotations

import logging
import traceback

from flask import Flask, flash, g, jsonify, redirect, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, InternalServerError

from coordination.extensions import db
from coordination.pipeline import note_refused_form
from coordination.refusals import Forbidden, NotFound, Refusal, RuleBroken, Stale

log = logging.getLogger(__name__)

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Go back and try again.")),
    401: (_l("Not signed in"), _l("Send a valid API token.")),
    403: (_l("Not allowed"), _l("Your role does not give access to this page.")),
    404: (_l("Not found"), _l("There is no such page, or you do not have access to it.")),
    405: (_l("Not allowed"), _l("This page cannot be used that way.")),
    409: (_l("Changed meanwhile"), _l("Someone changed this while you had the page open. "
                                      "Nothing was saved; check the current state and try "
                                      "again.")),
    412: (_l("Changed meanwhile"), _l("It changed since you read it; read it again.")),
    428: (_l("Version missing"), _l("Send If-Match with the ETag you read.")),
    413: (_l("Too large"),
          _l("What you sent is too large. Split a file into smaller ones and try again.")),
    422: (_l("Not possible"), _l("This change breaks a rule; nothing was saved.")),
    429: (_l("Too many attempts"),
          _l("Too many sign-in attempts from this address. Wait a minute and try again.")),
    500: (_l("Something went wrong"),
          _l("The error has been logged. Please try again; "
             "if it persists, tell your administrator.")),
}


def render_error(code: int, message=None):
    title, default = MESSAGES.get(code, MESSAGES[500])
    return render_template(
        "errors/error.html", code=code, title=title, message=message or default
    ), code


def _http_error(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    if wants_json():
        return problem(error.code if error.code in MESSAGES else 400)
    return render_error(error.code if error.code in MESSAGES else 400)


def _csrf_error(_error: CSRFError):
    return render_error(
        400, _l("The form has expired or was sent from elsewhere. Reload the page and try again.")
    )


def _server_error(_error: InternalServerError):
    db.session.rollback()
    return render_error(500)


def log_exception(exc_info) -> None:
    """Log an unhandled exception's type and stack, never its message.

    Messages can hold personal data: database errors carry the statement's
    parameters. The query string is left out for the same reason.
    """
    exc_type, _exc, tb = exc_info
    stack = "".join(traceback.format_tb(tb))
    log.error("unhandled %s on %s %s\n%s", exc_type.__name__, request.method, request.path, stack)


def wants_json() -> bool:
    """API routes, and clients that ask for JSON, get problem details."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json",
                                                "application/problem+json"])
    return best in ("application/json", "application/problem+json")


def problem(status: int, detail=None, field: str | None = None):
    """An RFC 9457 problem details response in the user's language."""
    title, default = MESSAGES.get(status, MESSAGES[400])
    body = {"type": "about:blank", "title": str(title), "status": status,
            "detail": str(detail or default)}
    if field:
        body["field"] = field
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def _refusal(refusal: Refusal):
    """The one mapping of refusals to responses (the request was rolled back)."""
    if wants_json():
        return problem(refusal.status, refusal.message, refusal.field)
    if isinstance(refusal, NotFound | Forbidden):
        return render_error(refusal.status)
    target = g.get("refusal_target")
    if isinstance(refusal, RuleBroken) and target is not None:
        flash(refusal.message, "error")  # shown where the user acted
        note_refused_form()
        return redirect(target())
    return render_error(400, refusal.message)


def _stale_data(_error: StaleDataError):
    # Two saves at the same moment: the version column let only one through.
    return _refusal(Stale(_l("Someone saved a change to this at the same moment. Nothing was "
                             "saved; check the current state and try again.")))


def init_app(app: Flask) -> None:
    app.register_error_handler(Refusal, _refusal)
    app.register_error_handler(StaleDataError, _stale_data)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(InternalServerError, _server_error)
    app.register_error_handler(HTTPException, _http_error)
