"""Settings (/admin/settings): administrators change them; the page shows who
changed what and when."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from coordination import policy
from coordination.decorators import section_required
from coordination.i18n import ngettext
from coordination.pipeline import REFUSED, acting_user, attempt, current_page
from coordination.settings import services
from forms.settings import settings_form_class

bp = Blueprint("settings", __name__, url_prefix="/admin/settings")

SettingsForm = settings_form_class(services.SPECS.values())


@bp.route("", methods=["GET", "POST"])
@section_required(policy.Section.SETTINGS)
def edit_settings():
    form = SettingsForm()
    if request.method == "GET":
        for key, value in services.all_settings().items():
            form[key].data = value
    if form.validate_on_submit():
        values = {key: form[key].data for key in services.SPECS}
        changes = attempt(form, services.update_settings, acting_user(), values)
        if changes is not REFUSED:
            flash(ngettext("%(num)s setting changed.", "%(num)s settings changed.",
                           len(changes)) if changes else _("Nothing was changed."), "success")
            return redirect(url_for("settings.edit_settings"))
    return render_template("settings/edit.html", form=form, groups=services.GROUPS,
                           specs=services.SPECS, defaults={k: services.default(k)
                                                           for k in services.SPECS},
                           history=services.history(page=current_page()))
