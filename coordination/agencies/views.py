"""Agencies (/admin/agencies, administrators) and the committees' directory."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from coordination import policy
from coordination.agencies import services
from coordination.agencies.models import AgencyType
from coordination.decorators import section_required
from coordination.extensions import db
from coordination.i18n import current_language
from coordination.pipeline import REFUSED, acting_user, attempt, current_page
from coordination.territories.models import Territory
from coordination.territories.services import FILTER_LEVELS, territory_options, territory_path
from forms import ConfirmForm
from forms.agencies import (
    AgencyFilterForm,
    AgencyForm,
    DeactivateAgencyForm,
    DirectoryEntryForm,
    NewAgencyForm,
)
from forms.fields import choices

bp = Blueprint("agencies", __name__)
agencies_section = section_required(policy.Section.AGENCIES)


@bp.route("/admin/agencies")
@agencies_section
def list_agencies():
    actor = acting_user()
    lang = current_language()
    form = AgencyFilterForm(request.args)
    form.territory.choices = choices(
        [("", _("Any territory")), *territory_options(lang, FILTER_LEVELS)])
    filters = services.AgencyFilters()
    if form.validate():
        filters = services.AgencyFilters(
            query=form.q.data,
            territory_id=form.territory.data,
            type=AgencyType(form.type.data) if form.type.data else None,
            active={"active": True, "inactive": False}.get(form.status.data),
        )
    pagination = services.list_agencies(actor, filters, page=current_page())
    counts = services.active_user_counts([agency.id for agency in pagination.items])
    return render_template("agencies/list.html", form=form, pagination=pagination,
                           counts=counts)


def _agency_fields(form: AgencyForm):
    territory = db.session.get(Territory, form.territory.data) if form.territory.data else None
    return form.name.data, AgencyType(form.type.data), territory


@bp.route("/admin/agencies/new", methods=["GET", "POST"])
@agencies_section
def new_agency():
    actor = acting_user()
    form = NewAgencyForm()
    form.territory.choices = choices([("", "—"), *territory_options(current_language())])
    if form.validate_on_submit():
        agency = attempt(form, services.create_agency, actor, form.code.data,
                      *_agency_fields(form))
        if agency is not REFUSED:
            flash(_("Agency %(code)s created.", code=agency.code), "success")
            return redirect(url_for("agencies.show_agency", agency_id=agency.id))
    return render_template("agencies/new.html", form=form)


@bp.route("/admin/agencies/<int:agency_id>", methods=["GET", "POST"])
@agencies_section
def show_agency(agency_id: int):
    actor = acting_user()
    agency = services.get_agency_or_404(actor, agency_id)
    form = AgencyForm()
    form.territory.choices = choices(
        [("", "—"), *territory_options(current_language(), current=agency.territory)])
    if request.method == "GET":
        form.name.data = agency.name
        form.type.data = agency.type.value
        form.territory.data = agency.territory_id
    if form.validate_on_submit():
        if attempt(form, services.update_agency, actor, agency,
                *_agency_fields(form)) is not REFUSED:
            flash(_("The changes are saved."), "success")
            return redirect(url_for("agencies.show_agency", agency_id=agency.id))
    users = services.active_user_counts([agency.id]).get(agency.id, 0)
    return render_template("agencies/detail.html", agency=agency, form=form, active_users=users)


@bp.route("/admin/agencies/<int:agency_id>/directory", methods=["GET", "POST"])
@agencies_section
def edit_directory_entry(agency_id: int):
    actor = acting_user()
    agency = services.get_agency_or_404(actor, agency_id)
    form = DirectoryEntryForm(obj=agency)
    if form.validate_on_submit():
        entry = services.DirectoryEntry(form.services.data, form.phone.data, form.address.data,
                                        form.hours.data, form.languages.data)
        if attempt(form, services.update_directory_entry, actor, agency, entry) is not REFUSED:
            flash(_("The changes are saved."), "success")
            return redirect(url_for("agencies.show_agency", agency_id=agency.id))
    return render_template("agencies/directory_entry.html", agency=agency, form=form)


@bp.route("/admin/agencies/<int:agency_id>/deactivate", methods=["GET", "POST"])
@agencies_section
def deactivate_agency(agency_id: int):
    actor = acting_user()
    agency = services.get_agency_or_404(actor, agency_id)
    hand_over = services.hand_over(actor, agency)
    form = DeactivateAgencyForm()
    if form.validate_on_submit():
        if hand_over.anything_open and not form.handed_over.data:
            form.add_error("handed_over", _("Confirm that you know about the open work."))
        elif attempt(form, services.deactivate_agency, actor, agency) is not REFUSED:
            flash(_("Agency %(code)s is deactivated; its users can no longer sign in.",
                    code=agency.code), "success")
            return redirect(url_for("agencies.show_agency", agency_id=agency.id))
    return render_template("agencies/deactivate.html", agency=agency, form=form,
                           hand_over=hand_over)


@bp.route("/admin/agencies/<int:agency_id>/reactivate", methods=["GET", "POST"])
@agencies_section
def reactivate_agency(agency_id: int):
    actor = acting_user()
    agency = services.get_agency_or_404(actor, agency_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        services.reactivate_agency(actor, agency)
        flash(_("Agency %(code)s is active again.", code=agency.code), "success")
        return redirect(url_for("agencies.show_agency", agency_id=agency.id))
    return render_template(
        "core/confirm.html", form=form, title=_("Reactivate the agency"),
        message=_("Its users whose own accounts are active can sign in again."),
        button=_("Reactivate"), subject=f"{agency.code} — {agency.name}",
        back=url_for("agencies.show_agency", agency_id=agency.id))


@bp.route("/directory")
@section_required(policy.Section.AGENCY_DIRECTORY)
def directory():
    actor = acting_user()
    pagination = services.directory(actor, page=current_page())
    staff = services.active_staff([agency.id for agency in pagination.items])
    territory = actor.agency.territory
    return render_template("agencies/directory.html", pagination=pagination, staff=staff,
                           territory=territory_path(territory, current_language()))
