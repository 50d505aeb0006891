"""Population figures (/admin/population): the list by year, one figure's form,
the CSV import. Administrators only (reference data)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from coordination import csv_import, policy
from coordination.decorators import section_required
from coordination.extensions import db
from coordination.i18n import current_language, ngettext
from coordination.models_base import utcnow
from coordination.pipeline import REFUSED, acting_user, attempt
from coordination.population import imports, services
from coordination.population.models import PopulationFigure
from coordination.population.queries import coverage_years
from coordination.refusals import NotFound
from forms.fields import choices
from forms.population import PopulationFigureForm, PopulationImportForm, PopulationYearForm

bp = Blueprint("population", __name__, url_prefix="/admin/population")
reference_section = section_required(policy.Section.REFERENCE_DATA)


def _chosen_year() -> tuple[PopulationYearForm, int]:
    """The year filter, offering the years with figures and the current year."""
    covered = coverage_years()
    years = sorted({*covered, utcnow().year}, reverse=True)
    form = PopulationYearForm(request.args)
    form.year.choices = choices([(year, str(year)) for year in years])
    if "year" in request.args and form.validate():
        return form, form.year.data
    form.year.data = (covered or years)[0]
    return form, form.year.data


@bp.route("")
@reference_section
def list_figures():
    form, year = _chosen_year()
    return render_template("population/list.html", form=form, year=year,
                           rows=services.figures_of_year(year))


def _figure_form(figure: PopulationFigure | None) -> PopulationFigureForm:
    form = PopulationFigureForm(obj=figure if request.method == "GET" else None)
    form.territory_id.choices = choices(
        [("", "—"), *services.territory_choices(current_language())])
    if figure is None and request.method == "GET":
        # Prefilled from the list's empty cell; checked when the form is posted.
        form.year.data = request.args.get("year", type=int) or utcnow().year
        form.territory_id.data = request.args.get("territory", type=int)
        form.sex.data = request.args.get("sex", "")
    elif figure is not None and request.method == "GET":
        form.sex.data = figure.sex.value
    return form


def _data(form: PopulationFigureForm) -> services.FigureData:
    return services.FigureData(territory_id=form.territory_id.data, year=form.year.data,
                               sex=form.sex.data, population=form.population.data)


def _edit(figure: PopulationFigure | None):
    form = _figure_form(figure)
    if form.validate_on_submit():
        saved = attempt(form, services.save_figure, acting_user(), figure, _data(form))
        if saved is not REFUSED:
            flash(_("The population figure is saved."), "success")
            return redirect(url_for("population.list_figures", year=saved.year))
    return render_template("population/edit.html", form=form, figure=figure)


@bp.route("/new", methods=["GET", "POST"])
@reference_section
def new_figure():
    return _edit(None)


@bp.route("/<int:figure_id>", methods=["GET", "POST"])
@reference_section
def edit_figure(figure_id: int):
    figure = db.session.get(PopulationFigure, figure_id)
    if figure is None:
        raise NotFound()
    return _edit(figure)


@bp.route("/import", methods=["GET", "POST"])
@reference_section
def import_figures():
    upload = PopulationImportForm()
    check = None
    if upload.validate_on_submit():
        data = upload.file.data.read(csv_import.read_limit() + 1)
        check = imports.run_import(acting_user(), data)
        if check.ok:
            flash(ngettext("%(num)s population figure imported.",
                           "%(num)s population figures imported.", len(check.figures)),
                  "success")
            return redirect(url_for("population.list_figures",
                                    year=max(f.year for f in check.figures)))
    return render_template("population/import.html", upload=upload, check=check,
                           columns=imports.COLUMNS)
