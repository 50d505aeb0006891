"""Reference data (/admin/territories): names in three languages, municipalities."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from coordination import policy
from coordination.decorators import section_required
from coordination.extensions import db
from coordination.i18n import current_language
from coordination.pipeline import REFUSED, acting_user, attempt
from coordination.refusals import NotFound
from coordination.territories import services
from coordination.territories.models import Territory, TerritoryLevel
from forms import ConfirmForm
from forms.territories import MunicipalityForm, TerritoryNamesForm

bp = Blueprint("territories", __name__, url_prefix="/admin/territories")
reference_section = section_required(policy.Section.REFERENCE_DATA)


def _territory_or_404(territory_id: int, level: TerritoryLevel | None = None) -> Territory:
    territory = db.session.get(Territory, territory_id)
    if territory is None or (level is not None and territory.level != level):
        raise NotFound()
    return territory


def _names(form: TerritoryNamesForm) -> services.Names:
    return services.Names(en=form.name_en.data, ru=form.name_ru.data, ky=form.name_ky.data)


@bp.route("")
@reference_section
def list_territories():
    return render_template("territories/list.html", rows=services.regions_and_districts())


@bp.route("/<int:territory_id>", methods=["GET", "POST"])
@reference_section
def show_territory(territory_id: int):
    territory = _territory_or_404(territory_id)
    form = TerritoryNamesForm(obj=territory if request.method == "GET" else None)
    if form.validate_on_submit():
        if attempt(form, services.rename_territory, acting_user(), territory,
                _names(form)) is not REFUSED:
            flash(_("The names are saved."), "success")
            return redirect(url_for("territories.show_territory", territory_id=territory.id))
    municipalities = (services.municipalities_of(territory)
                      if territory.level == TerritoryLevel.DISTRICT else None)
    return render_template("territories/detail.html", territory=territory, form=form,
                           municipalities=municipalities,
                           path=services.territory_path(territory, current_language()))


@bp.route("/<int:territory_id>/municipalities/new", methods=["GET", "POST"])
@reference_section
def new_municipality(territory_id: int):
    district = _territory_or_404(territory_id, TerritoryLevel.DISTRICT)
    form = MunicipalityForm()
    if request.method == "GET":
        form.code.data = district.code
    if form.validate_on_submit():
        municipality = attempt(form, services.add_municipality, acting_user(), district,
                            form.code.data, _names(form))
        if municipality is not REFUSED:
            flash(_("Municipality %(name)s added.", name=municipality.name(current_language())),
                  "success")
            return redirect(url_for("territories.show_territory", territory_id=district.id))
    return render_template("territories/new_municipality.html", district=district, form=form)


def _set_active(territory_id: int, active: bool, title: str, message: str, button: str):
    municipality = _territory_or_404(territory_id, TerritoryLevel.MUNICIPALITY)
    form = ConfirmForm()
    if form.validate_on_submit():
        services.set_municipality_active(acting_user(), municipality, active)
        flash(_("The change is saved."), "success")
        return redirect(url_for("territories.show_territory",
                                territory_id=municipality.parent_id))
    return render_template(
        "core/confirm.html", form=form, title=title, message=message, button=button,
        subject=municipality.name(current_language()),
        back=url_for("territories.show_territory", territory_id=municipality.parent_id))


@bp.route("/<int:territory_id>/retire", methods=["GET", "POST"])
@reference_section
def retire_municipality(territory_id: int):
    return _set_active(
        territory_id, False, _("Retire the municipality"),
        _("Cases already recorded there keep it; it is no longer offered for new cases "
          "or agencies."), _("Retire"))


@bp.route("/<int:territory_id>/reinstate", methods=["GET", "POST"])
@reference_section
def reinstate_municipality(territory_id: int):
    return _set_active(
        territory_id, True, _("Reinstate the municipality"),
        _("It is offered again for new cases and agencies."), _("Reinstate"))
