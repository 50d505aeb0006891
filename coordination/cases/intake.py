"""Between the intake form and the intake service: choices and parsing."""
from __future__ import annotations

from coordination import labels
from coordination.accounts.models import User
from coordination.cases import services
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
        (a.id, f"{a.name} ({labels.label('agency_type', a.type)})")
        for a in services.lead_agency_candidates(user)
    )
    if form.lead_agency.data is None:
        form.lead_agency.data = user.agency_id


def intake_from_form(form: CaseIntakeForm) -> services.CaseIntake:
    """The validated form as plain data for :func:`services.register_case`."""
    survivor = form.survivor.form
    perpetrator = form.perpetrator.form
    incident = form.incident.form
    return services.CaseIntake(
        district_id=form.district.data,
        municipality_id=form.municipality.data,
        lead_agency_id=form.lead_agency.data,
        survivor=services.PersonData(
            role=PersonRole.SURVIVOR,
            last_name=survivor.last_name.data,
            first_name=survivor.first_name.data,
            patronymic=survivor.patronymic.data,
            sex=Sex(survivor.sex.data),
            birth_year=survivor.birth_year.data,
            disability=survivor.disability.data,
            phone=survivor.phone.data,
            address=survivor.address.data,
        ),
        perpetrator=services.PersonData(
            role=PersonRole.ALLEGED_PERPETRATOR,
            last_name=perpetrator.last_name.data,
            first_name=perpetrator.first_name.data,
            patronymic=perpetrator.patronymic.data,
            sex=Sex(perpetrator.sex.data),
            birth_year=perpetrator.birth_year.data,
            relationship_to_survivor=Relationship(perpetrator.relationship.data),
        ),
        children=[
            services.PersonData(
                # A minor who witnessed the violence is a survivor too (the law).
                role=PersonRole.SURVIVOR if child.witnessed.data else PersonRole.CHILD,
                last_name=child.last_name.data or survivor.last_name.data,
                first_name=child.first_name.data,
                sex=Sex(child.sex.data),
                birth_year=child.birth_year.data,
            )
            for child in (entry.form for entry in form.children)
            if not child.is_blank()
        ],
        incident=services.IncidentData(
            occurred_on=incident.occurred_on.data,
            forms=[ViolenceForm(value) for value in incident.forms.data],
            place=IncidentPlace(incident.place.data),
            reported_by=Reporter(incident.reported_by.data),
            bride_kidnapping=incident.bride_kidnapping.data,
            forced_marriage=incident.forced_marriage.data,
            early_marriage=incident.early_marriage.data,
            crime_register_number=incident.crime_register_number.data,
            info_log_number=incident.info_log_number.data,
        ),
    )
