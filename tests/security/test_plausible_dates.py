"""Every date and date-time field refuses implausible years with a clear
message (issue 14): nothing dated year 1 or 9999 is stored."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from coordination.bounds import MAX_ID, bounded_int, id_or_none, page_number
from coordination.cases.models import Case, Incident
from coordination.extensions import db
from coordination.followups.models import FollowUp
from forms.audit import AuditFilterForm
from forms.fields import plausible_window
from forms.followups import FollowUpForm
from forms.meetings import MeetingForm
from forms.protection import ViolationForm
from tests.helpers import csrf_token


@pytest.mark.parametrize("form_class, field, value", [
    (FollowUpForm, "due_on", "9999-12-31"),
    (FollowUpForm, "due_on", "0001-01-01"),
    (AuditFilterForm, "date_from", "0001-01-01"),
    (AuditFilterForm, "date_to", "9999-12-31"),
    (MeetingForm, "scheduled_for", "9999-12-31T23:59"),
    (ViolationForm, "occurred_at", "0001-01-01T00:00"),
])
def test_implausible_years_get_a_clear_message(app, form_class, field, value):
    with app.test_request_context():
        form = form_class(MultiDict({field: value}), meta={"csrf": False})
        getattr(form, field).validate(form)
        first, last = plausible_window()
        message = f"Enter a date between the years {first.year} and {last.year}."
        assert message in getattr(form, field).errors


def test_the_window_runs_from_1900_to_ten_years_ahead():
    assert plausible_window(date(2026, 12, 7)) == (date(1900, 1, 1), date(2036, 12, 31))


def test_numbers_from_urls_are_bounded():
    assert page_number("99999999999999999999") == 100_000
    assert page_number("-5") == page_number("x") == 1
    assert id_or_none(str(MAX_ID + 1)) is None and id_or_none(str(MAX_ID)) == MAX_ID
    assert bounded_int("12", 3, 1, 10) == 10


@pytest.mark.parametrize("url", [f"/cases/{2**31}", f"/cases/{10**30}", f"/meetings/{2**63}",
                                 f"/followups/{2**31}/close"])
def test_ids_beyond_the_database_integer_answer_404(login_as, url):
    client = login_as("coordinator.sokuluk")
    token = csrf_token(client.get("/cases").text)
    response = (client.post(url, data={"csrf_token": token}) if url.endswith("close")
                else client.get(url))
    assert response.status_code == 404


def test_a_follow_up_due_in_9999_is_not_stored(login_as):
    client = login_as("coordinator.sokuluk")
    case = db.session.scalar(sa.select(Case).where(Case.lead_agency_id == Case.opening_agency_id)
                             .order_by(Case.id).limit(1))
    before = db.session.scalar(sa.select(sa.func.count(FollowUp.id)))
    page = client.get(f"/cases/{case.id}")
    client.post(f"/cases/{case.id}/followups", data={
        "csrf_token": csrf_token(page.text), "action": "Визит", "due_on": "9999-12-31",
        "owner_agency": case.lead_agency_id, "owner_user": "", "legal_ground": "danger_to_life"})
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(FollowUp.id))) == before
    assert not db.session.scalar(
        sa.select(Incident.id).where(Incident.occurred_on < date(1900, 1, 1)))
