"""Fixtures for the workflow: a fresh Sokuluk case and its agencies."""
from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa

from coordination.agencies.models import Agency
from coordination.cases import services as case_services
from coordination.cases.models import PersonRole, Sex, ViolenceForm
from coordination.extensions import db
from coordination.territories.services import territory_by_code

#: A frozen "now" for deadline arithmetic (UTC, naive like the database).
NOW = datetime(2026, 11, 20, 8, 0)


@pytest.fixture
def agency():
    """``agency("SOKULUK-POLICE")``."""

    def get(code: str) -> Agency:
        return db.session.scalar(sa.select(Agency).where(Agency.code == code))

    return get


@pytest.fixture
def new_case(user, agency):
    """``new_case()``: a Sokuluk case opened by the committee, led by social protection."""

    def make(opened_by: str = "coordinator.sokuluk", lead: str = "SOKULUK-SOCIAL"):
        opener = user(opened_by)
        intake = case_services.CaseIntake(
            district_id=territory_by_code("41708222").id,
            lead_agency_id=agency(lead).id,
            survivor=case_services.PersonData(
                PersonRole.SURVIVOR, "Жумабаева", "Айжан", Sex.FEMALE, 1990,
                phone="+996 700 111222", address="Сокулук, ул. Мира, 3"),
            incident=case_services.IncidentData(
                occurred_on=date(2026, 11, 18), forms=[ViolenceForm.PHYSICAL],
                place="shared_home", reported_by="survivor"),
        )
        case = case_services.register_case(opener, intake, now=NOW)
        db.session.commit()
        return case

    return make
