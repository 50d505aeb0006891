"""How views run one workflow step: commit on success, explain on refusal."""
from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, redirect
from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError

from coordination.extensions import db
from coordination.workflow import WorkflowError


def flash_form_errors(form) -> None:
    """Show a form's validation messages (the step's page is the case page)."""
    for error in _messages(form.errors):
        flash(error, "error")


def _messages(errors) -> list[str]:
    """The messages in ``form.errors``, whose values nest (a form field's
    errors are a dict of its own fields' errors; form-wide ones are under None)."""
    if isinstance(errors, dict):
        return [m for value in errors.values() for m in _messages(value)]
    if isinstance(errors, list | tuple):
        return [m for value in errors for m in _messages(value)]
    return [str(errors)]


def run_step(step: Callable[[], object], success: str, target: str | Callable[[], str],
             form=None):
    """Run ``step`` (a service call) and redirect to ``target``.

    ``target`` may be a function, asked only after the step: where the user
    goes can depend on what the step changed (a declined referral ends the
    agency's access to the case).

    Success commits and says ``success``; a refused step rolls back and says
    why; a step the user's agency may not take answers 403. ``form``, when
    given, must validate first.
    """
    if form is not None and not form.validate():
        flash_form_errors(form)
        return redirect(_resolve(target))
    try:
        step()
        db.session.commit()
    except PermissionError:
        db.session.rollback()
        abort(403)
    except WorkflowError as error:
        db.session.rollback()
        flash(error.message, "error")
    except StaleDataError:
        # Two saves at the same moment: the version column let one through.
        db.session.rollback()
        flash(_("Someone saved a change to this at the same moment. Nothing was saved; "
                "check the current state and try again."), "error")
    else:
        flash(success, "success")
    return redirect(_resolve(target))


def _resolve(target: str | Callable[[], str]) -> str:
    return target() if callable(target) else target
