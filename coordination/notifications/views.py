"""The agency's notifications."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from coordination import policy
from coordination.decorators import section_required
from coordination.extensions import db
from coordination.notifications import services
from coordination.steps import run_step
from coordination.web import current_page
from forms.notifications import MarkReadForm

bp = Blueprint("notifications", __name__)
cases_section = section_required(policy.Section.CASES)


@bp.route("/notifications")
@cases_section
def inbox():
    user = current_user._get_current_object()
    services.check_due(user.agency)
    page = current_page()
    pagination, read = services.page_for(user, page)
    html = render_template("notifications/list.html", pagination=pagination, read=read,
                           form=MarkReadForm(formdata=None))
    db.session.commit()  # after rendering: the check may have added notifications
    return html


@bp.route("/notifications/read", methods=["POST"])
@cases_section
def mark_read():
    user = current_user._get_current_object()
    form = MarkReadForm()
    if not form.validate():
        return redirect(url_for("notifications.inbox"))
    return run_step(lambda: services.mark_all_read(user), _("All notifications marked read."),
                    url_for("notifications.inbox"))
