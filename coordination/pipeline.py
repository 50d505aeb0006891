"""One way through a request: load, authorize, validate, act, commit once.

Every state-changing route is a *step*::

    @bp.route("/cases/<case:case_id>/status", methods=["POST"])
    @cases_section
    @step(load=load_case, action=Action.CHANGE_CASE_STATUS, form=status_form,
          back=to_case("status"))
    def change_status(user, case, form):
        services.change_status(user, case, ...)
        return _("Case status changed.")

The decorator loads the object through the policy (:class:`NotFound`, a
404, when it is invisible), authorizes the action on it (:class:`Forbidden`,
a 403) *before* the form is built from the payload, validates the form (its
messages in the user's language), runs the view's act (services change and
flush) and redirects where the user acted with the act's message.

The transaction has one commit point, :func:`conclude`, called by the
application after the view returned (``CoordinationFlask.finalize_request``);
any exception rolls back (:func:`abandon`). GET requests never write, except
what calls :func:`allow_write` with its reason (the audit of a case view, the
language a user picks with ``?lang=``, an expired session's audit, the
server-side session's bookkeeping in ``security._load_user``).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

import sqlalchemy as sa
from flask import (
    current_app,
    flash,
    g,
    has_request_context,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy.orm import Session

from coordination import policy
from coordination.bounds import page_number
from coordination.extensions import db
from coordination.refusals import Forbidden, RuleBroken
from coordination.replica.routing import note_write

#: Methods that must not change anything (RFC 9110 safe methods).
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class UnexpectedWrite(RuntimeError):
    """A GET request changed the database without saying why (a bug)."""


# --- the transaction ----------------------------------------------------------


def allow_write(reason: str) -> None:
    """Let this GET request's changes be committed; ``reason`` documents why."""
    g.pipeline_write_reason = reason


def abandon() -> None:
    """The request failed: roll back everything it did."""
    if has_request_context():
        g.pipeline_failed = True
    db.session.rollback()


def conclude() -> None:
    """The one commit point of a request (called once the view returned).

    A request that failed was rolled back already. A safe request that wrote
    without :func:`allow_write` is a bug: its changes are dropped, and in
    tests and debugging the request fails loudly so the bug is seen.
    """
    if g.get("pipeline_failed"):
        return
    if request.method in SAFE_METHODS and not g.get("pipeline_write_reason"):
        wrote = g.get("pipeline_flushed") or _pending_changes()
        db.session.rollback()
        if wrote and (current_app.testing or current_app.debug):
            raise UnexpectedWrite(f"{request.method} {request.endpoint} wrote to the database")
        return
    db.session.commit()
    note_write()  # read-your-writes: the user's next pages wait for the replica


def _pending_changes() -> bool:
    session = db.session
    return bool(session.new or session.deleted
                or any(session.is_modified(obj) for obj in session.dirty))


@sa.event.listens_for(Session, "after_flush")
def _note_flush(session, _flush_context) -> None:
    """Remember that the request's session wrote something (see :func:`conclude`)."""
    if has_request_context() and (session.new or session.dirty or session.deleted):
        g.pipeline_flushed = True


# --- steps ---------------------------------------------------------------------


def acting_user():
    """The signed-in user as a model object (not the proxy), for services."""
    return current_user._get_current_object()


def authorize(user, action: policy.Action, obj) -> None:
    """Raise :class:`Forbidden` unless ``user`` may do ``action`` on ``obj``.

    ``obj`` was loaded through the policy in this request, so the case is
    known to be visible.
    """
    if not policy.can(user, action, obj, case_visible=True):
        raise Forbidden()


@dataclass(frozen=True)
class Confirmation:
    """What an irreversible step says before it is taken (see ``confirm`` of
    :func:`step`)."""

    title: str
    #: What will happen, in the user's words.
    message: str
    #: The label of the button that takes the step.
    button: str
    #: The form field holding the reason the record needs, shown (and
    #: required by the form) on the confirmation page; None when none.
    reason: str | None = None
    reason_label: str | None = None


#: The posted field that says the user confirmed the step.
CONFIRMED = "confirmed"


def _confirmation_page(confirmation: Confirmation, back_url: str):
    """The confirmation page of a step posted without :data:`CONFIRMED`: it
    carries the posted fields and posts them again, confirmed. Nothing is
    changed and nothing is written (the request has not flushed)."""
    carried = [(name, value) for name, value in request.form.items(multi=True)
               if name not in ("csrf_token", CONFIRMED, confirmation.reason)]
    return render_template("core/confirm_step.html", confirmation=confirmation,
                           carried=carried, back=back_url,
                           reason=request.form.get(confirmation.reason or "", ""))


def step(load: Callable, action: policy.Action | Callable | None, back: Callable,
         form: Callable | None = None, confirm: Callable | None = None):
    """Make ``act(user, obj, form) -> message`` a state-changing route.

    ``load(user, **url_values)`` returns the object or raises
    :class:`NotFound`; ``action`` is authorized on it. Where one route serves
    several actions (the buttons of a referral), ``action(obj)`` picks the
    action from the button's name alone, like a URL would, never from what
    the form says otherwise;
    ``form(user, obj)`` builds the form with choices from the policy;
    ``back(user, obj)`` is where the user goes afterwards, asked after the
    act (a declined referral ends the agency's access to the case). A
    refusal raised by the act is shown at ``back`` too (see
    :mod:`coordination.errors`).

    ``confirm(user, obj)`` makes the step irreversible-safe: it returns a
    :class:`Confirmation` (or None when the button pressed needs none), and
    a POST without the ``confirmed`` field answers with the confirmation
    page instead of acting. The case page's in-place confirm steps (a
    ``<details>`` opened by a first click, no script) post it themselves.
    """

    def decorator(act: Callable):
        @wraps(act)
        def view(**url_values):
            user = acting_user()
            obj = load(user, **url_values)
            if action is not None:  # None: only the section's rule (one's own things)
                authorize(user, action(obj) if callable(action) else action, obj)
            g.refusal_target = lambda: back(user, obj)
            confirmation = confirm(user, obj) if confirm is not None else None
            if confirmation is not None and request.form.get(CONFIRMED) != "1":
                return _confirmation_page(confirmation, back(user, obj))
            built = form(user, obj) if form is not None else None
            if built is not None and not built.validate():
                flash_form_errors(built)
                note_refused_form()
                return redirect(back(user, obj))
            message = act(user, obj, built)
            flash(message, "success")
            return redirect(back(user, obj))

        return view

    return decorator


def attempt(form, change: Callable, *args, **kwargs):
    """Run the service ``change`` for a page whose form is shown again when
    the service refuses: a :class:`RuleBroken` is put on ``form`` (beside its
    field) and what the service did is undone; returns :data:`REFUSED` then.
    """
    savepoint = db.session.begin_nested()
    try:
        result = change(*args, **kwargs)
    except RuleBroken as error:
        savepoint.rollback()
        form.add_error(error.field, error.message)
        return REFUSED
    savepoint.commit()  # releases the savepoint; the request commits later
    return result


#: What :func:`attempt` returns when the service refused the change.
REFUSED = object()


def flash_form_errors(form) -> None:
    """Show a form's validation messages where the user acted."""
    for message in _messages(form.errors):
        flash(message, "error")


#: The category of the flashed "message" that names the form a refused step
#: was posted from (its action URL): the page drawn next opens that form,
#: kept closed otherwise, beside its messages; read and dropped with them.
REFUSED_FORM = "refused-form"


def note_refused_form() -> None:
    """Name the form this refused step came from for the page drawn next."""
    flash(url_for(request.endpoint, **(request.view_args or {})), REFUSED_FORM)


def _messages(errors) -> list[str]:
    """The messages in ``form.errors``, whose values nest (a form field's
    errors are a dict of its own fields' errors; form-wide ones are under None)."""
    if isinstance(errors, dict):
        return [m for value in errors.values() for m in _messages(value)]
    if isinstance(errors, list | tuple):
        return [m for value in errors for m in _messages(value)]
    return [str(errors)]


def current_page() -> int:
    """The ``page`` query parameter: 1 when absent or wrong, and never beyond
    ``bounds.MAX_PAGE`` (an offset must not overflow)."""
    return page_number(request.args.get("page"))
