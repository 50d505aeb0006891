"""Case list, intake and the case page."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from coordination import policy
from coordination.cases import services
from coordination.cases.intake import intake_from_form, set_intake_choices
from coordination.cases.models import CaseStatus, RiskLevel
from coordination.decorators import section_required
from coordination.extensions import db
from coordination.i18n import current_language
from forms.cases import CaseFilterForm, CaseIntakeForm
from forms.fields import choices

bp = Blueprint("cases", __name__, url_prefix="/cases")
cases_section = section_required(policy.Section.CASES)


@bp.route("")
@cases_section
def list_cases():
    user = current_user._get_current_object()
    form = CaseFilterForm(request.args)
    lang = current_language()
    form.district.choices = choices(
        [("", _("Any district")), *((d.id, d.name(lang)) for d in services.intake_districts(user))]
    )
    filters = services.CaseFilters()
    if form.validate():
        filters = services.CaseFilters(
            status=CaseStatus(form.status.data) if form.status.data else None,
            district_id=form.district.data,
            risk=RiskLevel(form.risk.data) if form.risk.data else None,
            query=form.q.data,
        )
    page = request.args.get("page", 1, type=int)
    pagination = services.list_cases(user, filters, page=max(page, 1))
    return render_template("cases/list.html", form=form, pagination=pagination)


@bp.route("/new", methods=["GET", "POST"])
@cases_section
def new_case():
    user = current_user._get_current_object()
    form = CaseIntakeForm()
    set_intake_choices(form, user, current_language())
    if form.validate_on_submit():
        try:
            case = services.register_case(user, intake_from_form(form))
        except services.IntakeError as error:
            db.session.rollback()
            form.form_errors.append(str(error.message))
        else:
            db.session.commit()
            flash(_("Case %(reference)s registered.", reference=case.reference), "success")
            return redirect(url_for("cases.show_case", case_id=case.id))
    return render_template("cases/new.html", form=form)


@bp.route("/<int:case_id>")
@cases_section
def show_case(case_id: int):
    user = current_user._get_current_object()
    case = services.get_case_or_404(user, case_id)
    db.session.commit()  # the view itself may have been audited
    return render_template(
        "cases/detail.html",
        case=case,
        show_restricted=policy.can(user, policy.Action.VIEW_RESTRICTED, case),
    )
