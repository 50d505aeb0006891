"""The audit log viewer: read only, GET only; there is nothing to edit or delete."""
from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, render_template, request
from flask_babel import gettext as _

from coordination import policy
from coordination.audit import viewer
from coordination.audit.models import AuditAction
from coordination.decorators import section_required
from coordination.pipeline import acting_user, current_page
from coordination.replica.routing import reads_from_replica
from exports.cells import neutralise
from forms.audit import AuditFilterForm
from forms.fields import choices

bp = Blueprint("audit", __name__, url_prefix="/audit")

audit_section = section_required(policy.Section.AUDIT)


def _filters(user) -> tuple[AuditFilterForm, viewer.AuditFilters]:
    form = AuditFilterForm(request.args)
    form.action.choices = choices([("", _("Any action")),
                                   *((a.value, a.value) for a in viewer.visible_actions(user))])
    if not form.validate():
        return form, viewer.AuditFilters()
    return form, viewer.AuditFilters(
        username=form.user.data or None,
        action=AuditAction(form.action.data) if form.action.data else None,
        date_from=form.date_from.data,
        date_to=form.date_to.data,
    )


@bp.route("")
@audit_section
@reads_from_replica
def list_events():
    user = acting_user()
    form, filters = _filters(user)
    page = current_page()
    pagination = viewer.list_events(user, filters, page=max(page, 1))
    return render_template("audit/list.html", form=form, pagination=pagination,
                           query=request.query_string.decode("ascii", "replace"))


@bp.route("/events.csv")
@audit_section
@reads_from_replica
def export():
    user = acting_user()
    _form, filters = _filters(user)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_("Time (UTC)"), _("Username"), _("Agency"), _("Action"), _("Object"),
                     _("Object id"), _("Address")])
    for event in viewer.export_events(user, filters):
        writer.writerow([neutralise(str(cell)) for cell in (
            event.at.isoformat(timespec="seconds"),
            event.user.username if event.user else "",
            event.agency.code if event.agency else "",
            event.action.value, event.object_type or "",
            "" if event.object_id is None else event.object_id,
            event.ip_address or "")])
    return Response(buffer.getvalue().encode("utf-8-sig"), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=audit-log.csv"})
