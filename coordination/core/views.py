"""Home page and health check."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from coordination import policy
from coordination.extensions import db
from coordination.home import build_home
from coordination.models_base import utcnow
from coordination.replica.routing import reads_from_replica
from coordination.worklists import acted_panel, acted_row

bp = Blueprint("core", __name__)


@bp.route("/")
@login_required
@reads_from_replica
def index():
    if policy.may_use(current_user, policy.Section.CASES):  # what needs the agency today
        panels = build_home(current_user._get_current_object(), utcnow())
        # A step taken in a panel comes back here: its message goes into that
        # panel, or to the page's top when the panel has nothing left to show.
        acted, panel = acted_row(request.args), acted_panel(request.args)
        if panel not in {shown.key for shown in panels}:
            acted = panel = None
        return render_template("core/today.html", panels=panels, acted=acted,
                               acted_panel=panel)
    if policy.may_use(current_user, policy.Section.REPORTS):  # the ministry's dashboard
        return redirect(url_for("reports.page"))
    # The administrator (the one role without statistics): administration.
    return redirect(url_for("users.list_users"))


@bp.route("/healthz")
def healthz():
    """Liveness and database reachability, for the load balancer; no data."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok", database="ok")
