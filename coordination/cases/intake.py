"""Between the intake form and the intake service: choices and parsing."""
from __future__ import annotations

from coordination.accounts.models import User
from coordination.cases import services
from coordination.cases.duplicates import SurvivorKey
from coordination.cases.models import (
    IncidentPlace,
    PersonRole,
    Relationship,
    Reporter,
    Sex,
    ViolenceForm,
)
from forms.cases import CaseIntakeForm
from forms.fields import choices


def set_intake_choices(form: CaseIntakeForm, user: User, lang: str) -> None:
    """Fill the form's choices from what the policy lets ``user`` choose."""
    districts = services.intake_districts(user)
    form.district.choices = choices((d.id, d.name(lang)) for d in districts)
    form.municipality.choices = choices(
        [("", "—"), *((m.id, m.name(lang)) for m in services.municipality_choices(user))]
    )
    form.lead_agency.choices = choices(
        (a.id, f"{a.name} ({a.type.label})")
        for a in services.lead_agency_candidates(user)
    )
    if form.lead_agency.data is None:
        form.lead_agency.data = user.agency_id


def _person(subform, role: PersonRole, **extra) -> services.PersonData:
    """The fields every person's subform has, plus ``extra``."""
    return services.PersonData(
        role=role,
        last_name=subform.last_name.data,
        first_name=subform.first_name.data,
        sex=Sex(subform.sex.data),
        birth_year=subform.birth_year.data,
        **extra,
    )


def intake_from_form(form: CaseIntakeForm) -> services.CaseIntake:
    """The validated form as plain data for :func:`services.register_case`."""
    survivor = form.survivor.form
    perpetrator = form.perpetrator.form
    incident = form.incident.form
    children = [entry.form for entry in form.children if not entry.form.is_blank()]
    return services.CaseIntake(
        district_id=form.district.data,
        municipality_id=form.municipality.data,
        lead_agency_id=form.lead_agency.data,
        survivor=_person(
            survivor, PersonRole.SURVIVOR, patronymic=survivor.patronymic.data,
            disability=survivor.disability.data, phone=survivor.phone.data,
            address=survivor.address.data, safe_phone=survivor.safe_phone.data,
        ),
        perpetrator=_person(
            perpetrator, PersonRole.ALLEGED_PERPETRATOR, patronymic=perpetrator.patronymic.data,
            relationship_to_survivor=Relationship(perpetrator.relationship.data),
        ),
        children=[
            # A minor who witnessed the violence is a survivor too (the law).
            _person(child, PersonRole.SURVIVOR if child.witnessed.data else PersonRole.CHILD)
            for child in children
        ],
        incident=incident_data(incident),
    )


def incident_data(incident) -> services.IncidentData:
    """An incident subform's data for the services."""
    return services.IncidentData(
        occurred_on=incident.occurred_on.data,
        forms=[ViolenceForm(value) for value in incident.forms.data],
        place=IncidentPlace(incident.place.data),
        reported_by=Reporter(incident.reported_by.data),
        bride_kidnapping=incident.bride_kidnapping.data,
        forced_marriage=incident.forced_marriage.data,
        early_marriage=incident.early_marriage.data,
        crime_register_number=incident.crime_register_number.data,
        info_log_number=incident.info_log_number.data,
    )


def survivor_key(intake: services.CaseIntake) -> SurvivorKey:
    """What the duplicate guard compares, from the intake."""
    survivor = intake.survivor
    return SurvivorKey(survivor.last_name, survivor.first_name, survivor.patronymic,
                       survivor.birth_year, intake.district_id)
