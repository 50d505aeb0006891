"""The printable records: each renders in Kyrgyz with its letters in the
PDF's text layer, holds only what its reader may see, and is audited."""
from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from coordination.audit.models import AuditAction, AuditEvent
from coordination.cases.models import Case, Person, PersonRole
from coordination.extensions import db
from coordination.protection.models import ProtectionOrder
from coordination.referrals.models import Referral, ReferralStatus
from coordination.territories.models import Territory
from exports.case_records import Part, PrintedRecord, render_record
from tests.helpers import login, pid

SOKULUK = "41708222"
#: A name with each of the Kyrgyz letters beyond Russian's.
NAME = ("Өмүрбекова", "Таңкүл")
KYRGYZ_LETTERS = ("ң", "ө", "ү")


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def _speak_kyrgyz(*users):
    for subject in users:
        subject.language = "ky"
    db.session.commit()


def _survivor_named(case: Case) -> Person:
    survivor = next(p for p in case.people if p.role == PersonRole.SURVIVOR)
    survivor.last_name, survivor.first_name = NAME
    survivor.phone = "+996 555 123 456"
    db.session.commit()
    return survivor


def _sokuluk_case_with(*, referral=False, order=False) -> Case:
    query = sa.select(Case).join(Case.district).where(Territory.code == SOKULUK)
    if referral:
        query = query.where(Case.referrals.any())
    if order:
        query = query.where(Case.protection_orders.any())
    case = db.session.scalar(query.order_by(Case.id).limit(1))
    assert case is not None
    return case


def test_the_renderer_puts_kyrgyz_letters_in_the_text_layer_with_page_numbers():
    record = PrintedRecord(
        title="Иштин кыскача баяны", subtitle="Сокулук району",
        confidentiality="КУПУЯ: зордук-зомбулуктан жабыркаган адамдын жеке маалыматы",
        footer="Басылып чыккан: 2026-12-07", page_label="Барак %(page)s / %(pages)s",
        parts=[Part("Адамдар", head=["Ролу", "Аты-жөнү"],
                    rows=[["Жабыркаган", "Өмүрбекова Таңкүл"]] * 80),
               Part("Буйруктар", empty="Катталган жок.")])
    text = _text(render_record(record))
    for letter in KYRGYZ_LETTERS:
        assert letter in text
    assert all(part in text for part in NAME)
    assert "КУПУЯ" in text and "Катталган жок." in text
    pages = len(PdfReader(io.BytesIO(render_record(record))).pages)
    assert pages > 1 and f"Барак 1 / {pages}" in text and f"Барак {pages} / {pages}" in text
    assert render_record(record) == render_record(record)  # the same bytes for the same data


def _printed(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    return _text(response.data)


def _audited(action: AuditAction, object_id: int) -> bool:
    return db.session.scalar(sa.select(sa.func.count()).where(
        AuditEvent.action == action, AuditEvent.object_id == object_id)) == 1


def _led_by_a_demo_user() -> tuple[Case, str]:
    """A Sokuluk case and the demo user of the agency that leads it."""
    from coordination.accounts.models import User
    from coordination.demo import demo_usernames

    users = db.session.scalars(sa.select(User).where(
        User.username.in_([u for u in demo_usernames() if u.endswith(".sokuluk")]))).all()
    by_agency = {u.agency_id: u.username for u in users}
    case = db.session.scalar(sa.select(Case).join(Case.district).where(
        Territory.code == SOKULUK, Case.lead_agency_id.in_(by_agency)).order_by(Case.id).limit(1))
    assert case is not None
    return case, by_agency[case.lead_agency_id]


def test_the_case_summary_in_kyrgyz_for_the_lead_agency(login_as, user):
    case, username = _led_by_a_demo_user()
    _survivor_named(case)
    _speak_kyrgyz(user(username))
    text = _printed(login_as(username), f"/cases/{pid(case)}/summary.pdf")
    assert all(part in text for part in NAME)
    for letter in KYRGYZ_LETTERS:
        assert letter in text
    assert case.reference in text and "+996 555 123 456" in text  # the lead sees contacts
    assert _audited(AuditAction.CASE_SUMMARY_PRINTED, case.id)


def test_the_case_summary_is_the_lead_agencys_alone(login_as, browser):
    case, username = _led_by_a_demo_user()
    other = "police.sokuluk" if username != "police.sokuluk" else "coordinator.sokuluk"
    assert login_as(other).get(f"/cases/{pid(case)}/summary.pdf").status_code in (403, 404)
    stranger = browser()
    login(stranger, "coordinator.karasuu")
    assert stranger.get(f"/cases/{pid(case)}/summary.pdf").status_code == 404


def test_the_referral_letter_in_kyrgyz_holds_what_the_receiver_may_see(login_as, user):
    referral = db.session.scalar(
        sa.select(Referral).join(Referral.case).join(Case.district)
        .where(Territory.code == SOKULUK, Referral.status == ReferralStatus.SENT)
        .order_by(Referral.id).limit(1))
    assert referral is not None
    _survivor_named(referral.case)
    from coordination.accounts.models import User

    sender = db.session.scalar(sa.select(User).where(
        User.agency_id == referral.from_agency_id).limit(1))
    _speak_kyrgyz(sender)
    text = _printed(login_as(sender.username), f"/referrals/{pid(referral)}/letter.pdf")
    for letter in KYRGYZ_LETTERS:
        assert letter in text
    assert all(part in text for part in NAME)
    # Not yet accepted: the receiver may not see the restricted contacts.
    assert "+996 555 123 456" not in text
    assert _audited(AuditAction.REFERRAL_LETTER_PRINTED, referral.id)


def test_the_protection_order_record_in_kyrgyz(login_as):
    case = _sokuluk_case_with(order=True)
    _survivor_named(case)
    order = db.session.scalar(sa.select(ProtectionOrder).where(ProtectionOrder.case_id == case.id)
                              .limit(1))
    from coordination.accounts.models import User

    coordinator = db.session.scalar(sa.select(User).where(User.username == "coordinator.sokuluk"))
    _speak_kyrgyz(coordinator)
    text = _printed(login_as("coordinator.sokuluk"), f"/orders/{pid(order)}/record.pdf")
    for letter in KYRGYZ_LETTERS:
        assert letter in text
    assert all(part in text for part in NAME)
    assert _audited(AuditAction.ORDER_RECORD_PRINTED, order.id)


@pytest.mark.parametrize("username", ["coordinator.karasuu", "police.karasuu"])
def test_another_district_cannot_print_anything(login_as, username):
    case = _sokuluk_case_with(order=True, referral=True)
    client = login_as(username)
    assert client.get(f"/cases/{pid(case)}/summary.pdf").status_code == 404
    assert client.get(f"/referrals/{pid(case.referrals[0])}/letter.pdf").status_code == 404
    assert client.get(f"/orders/{pid(case.protection_orders[0])}/record.pdf").status_code == 404
