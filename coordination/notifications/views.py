"""The agency's notifications."""
from __future__ import annotations

from flask import Blueprint, render_template, url_for
from flask_babel import gettext as _

from coordination import policy
from coordination.decorators import section_required
from coordination.notifications import services
from coordination.pipeline import acting_user, allow_write, current_page, step
from forms.notifications import MarkReadForm

bp = Blueprint("notifications", __name__)
cases_section = section_required(policy.Section.CASES)


@bp.route("/notifications")
@cases_section
def inbox():
    user = acting_user()
    services.check_due(user.agency)
    allow_write("notifications of what fell due since the last check")
    pagination, read = services.page_for(user, current_page())
    return render_template("notifications/list.html", pagination=pagination, read=read,
                           form=MarkReadForm(formdata=None))


@bp.route("/notifications/read", methods=["POST"])
@cases_section
@step(load=lambda user: user, action=None, back=lambda user, _obj: url_for("notifications.inbox"),
      form=lambda user, _obj: MarkReadForm())
def mark_read(user, _user, form):
    services.mark_all_read(user)
    return _("All notifications marked read.")
