"""Home page and health check."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, jsonify, redirect, render_template, url_for
from flask_login import current_user, login_required

from coordination import policy
from coordination.extensions import db
from coordination.home import build_home
from coordination.models_base import utcnow
from coordination.replica.routing import reads_from_replica

bp = Blueprint("core", __name__)


@bp.route("/")
@login_required
@reads_from_replica
def index():
    if policy.may_use(current_user, policy.Section.CASES):  # what needs the agency today
        return render_template("core/today.html",
                               panels=build_home(current_user._get_current_object(), utcnow()))
    if policy.may_use(current_user, policy.Section.REPORTS):  # the ministry's dashboard
        return redirect(url_for("reports.page"))
    return render_template("core/home.html")


@bp.route("/healthz")
def healthz():
    """Liveness and database reachability, for the load balancer; no data."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok", database="ok")
