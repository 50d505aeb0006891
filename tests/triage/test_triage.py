"""The triage queue: recording a report on a page, attaching it to a case the
user can see (never leaking one they cannot), closing it; the time to the
first action."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from coordination.cases.models import Case
from coordination.extensions import db
from coordination.models_base import utcnow
from coordination.territories.models import Territory
from coordination.triage import services
from coordination.triage.models import ClosingReason, IncomingReport, ReportStatus
from tests.helpers import csrf_token, pid
from tests.test_request_pipeline import _incoming_report

SOKULUK, KARASUU = "41708222", "41706226"


def _district(code):
    return db.session.scalar(sa.select(Territory).where(Territory.code == code))


def _case_of(code):
    return db.session.scalar(sa.select(Case).join(Case.district).where(
        Territory.code == code, Case.status != "closed").order_by(Case.id).limit(1))


def test_a_hotline_operator_records_a_report_on_the_page(login_as):
    client = login_as("crisis.sokuluk")
    page = client.get("/triage/new")
    moment = (utcnow() - timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M")
    response = client.post("/triage/new", data={
        "csrf_token": csrf_token(page.text), "source": "117", "received_at": moment,
        "district": _district(SOKULUK).id, "summary": "A woman locked out by her husband",
        "caller_contact": ""})
    assert response.status_code == 302
    report = db.session.scalar(sa.select(IncomingReport).where(
        IncomingReport.summary == "A woman locked out by her husband"))
    assert report.status == ReportStatus.WAITING and report.caller_contact is None


def test_the_operator_cannot_file_into_another_district(login_as):
    client = login_as("crisis.sokuluk")
    page = client.get("/triage/new")
    client.post("/triage/new", data={
        "csrf_token": csrf_token(page.text), "source": "117",
        "received_at": utcnow().strftime("%Y-%m-%dT%H:%M"), "district": _district(KARASUU).id,
        "summary": "Forged district"})
    assert db.session.scalar(sa.select(IncomingReport).where(
        IncomingReport.summary == "Forged district")) is None


def test_attach_to_a_visible_case_and_not_to_an_invisible_one(login_as):
    report = _incoming_report(SOKULUK)
    db.session.commit()
    client = login_as("police.sokuluk")
    queue = client.get("/triage")
    token = csrf_token(queue.text)
    url = f"/triage/{pid(report)}/attach"
    prefix = f"attach-{report.id}-"
    foreign = _case_of(KARASUU)
    refused = client.post(url, data={"csrf_token": token, prefix + "version": report.version,
                                     prefix + "reference": foreign.reference},
                          follow_redirects=True)
    missing = client.post(url, data={"csrf_token": token, prefix + "version": report.version,
                                     prefix + "reference": "DV-2026-NOSUCH"},
                          follow_redirects=True)
    message = "No case with this reference among the cases you can see."
    assert message in refused.text and message in missing.text
    db.session.refresh(report)
    assert report.status == ReportStatus.WAITING
    from coordination import policy

    police = db.session.scalar(sa.select(Case).where(policy.case_visibility(
        client_user("police.sokuluk")), Case.status != "closed").order_by(Case.id).limit(1))
    done = client.post(url, data={"csrf_token": token, prefix + "version": report.version,
                                  prefix + "reference": police.reference})
    assert done.status_code == 302
    db.session.refresh(report)
    assert report.status == ReportStatus.ATTACHED and report.case_id == police.id


def client_user(username):
    from coordination.accounts.models import User

    return db.session.scalar(sa.select(User).where(User.username == username))


def test_close_with_a_reason_and_a_stale_form_changes_nothing(login_as):
    report = _incoming_report(SOKULUK)
    db.session.commit()
    client = login_as("coordinator.sokuluk")
    token = csrf_token(client.get("/triage").text)
    prefix = f"close-{report.id}-"
    stale = client.post(f"/triage/{pid(report)}/close", data={
        "csrf_token": token, prefix + "version": report.version + 1,
        prefix + "reason": "false_report"}, follow_redirects=True)
    assert "Someone changed this" in stale.text
    client.post(f"/triage/{pid(report)}/close", data={
        "csrf_token": token, prefix + "version": report.version,
        prefix + "reason": "false_report"})
    db.session.refresh(report)
    assert report.status == ReportStatus.CLOSED and report.first_action_at is not None


def test_another_districts_queue_is_404_and_other_agencies_403(login_as, browser):
    from tests.helpers import login

    report = _incoming_report(KARASUU)
    db.session.commit()
    client = login_as("coordinator.sokuluk")
    assert client.get(f"/triage/{pid(report)}/case").status_code == 404
    social = browser()
    login(social, "social.sokuluk")
    assert social.get("/triage").status_code == 403


def test_time_to_first_action_is_in_the_statistics_layer(user):
    """The first decision's time reaches the statistical records (the
    reports then read it through the cell key method, never from here)."""
    from coordination.statistics.models import StatisticalRecord
    from coordination.statistics.records import report_key

    now = utcnow()
    first = _incoming_report(SOKULUK)
    first.received_at = now - timedelta(minutes=40)
    second = _incoming_report(SOKULUK)
    second.received_at = now - timedelta(minutes=20)
    db.session.flush()
    coordinator = user("coordinator.sokuluk")
    services.close_report(coordinator, first, ClosingReason.FALSE_REPORT, None, now=now)
    services.close_report(coordinator, second, ClosingReason.NO_CONTACT, None, now=now)
    db.session.commit()
    tenths = dict(db.session.execute(
        sa.select(StatisticalRecord.source_id, StatisticalRecord.tenths).where(
            StatisticalRecord.unit == "report",
            StatisticalRecord.case_id.in_([report_key(first.id), report_key(second.id)]))).all())
    assert tenths == {first.id: 7, second.id: 3}  # 40 and 20 minutes, in tenths of hours


def test_the_panel_is_on_the_police_home_page_for_its_district_only(login_as, browser):
    from tests.helpers import login

    report = _incoming_report(SOKULUK)
    db.session.commit()
    police = login_as("police.sokuluk")
    home = police.get("/")
    panel = home.text.split('id="triage-waiting"')[1].split("</section>")[0]
    assert "Incoming reports to triage" in panel and "(1)" in panel
    assert report.source.label in panel and "No incoming report is waiting." not in panel
    other = browser()
    login(other, "police.karasuu")
    elsewhere = other.get("/").text.split('id="triage-waiting"')[1].split("</section>")[0]
    assert "(0)" in elsewhere and "No incoming report is waiting." in elsewhere
    social = browser()
    login(social, "social.sokuluk")
    assert 'id="triage-waiting"' not in social.get("/").text


def test_attaching_to_an_invisible_closed_case_answers_as_a_missing_one(login_as):
    """Not "this case is closed": that would tell the case exists."""
    report = _incoming_report(SOKULUK)
    db.session.commit()
    foreign = db.session.scalar(sa.select(Case).join(Case.district).where(
        Territory.code == KARASUU, Case.status == "closed").order_by(Case.id).limit(1))
    assert foreign is not None
    client = login_as("police.sokuluk")
    token = csrf_token(client.get("/triage").text)
    prefix = f"attach-{report.id}-"
    answers = [client.post(f"/triage/{pid(report)}/attach", data={
        "csrf_token": token, prefix + "version": report.version,
        prefix + "reference": reference}, follow_redirects=True)
        for reference in (foreign.reference, "DV-2026-NOSUCH")]
    for answer in answers:
        assert "No case with this reference among the cases you can see." in answer.text
        assert "This case is closed" not in answer.text
    db.session.refresh(report)
    assert report.status == ReportStatus.WAITING and report.case_id is None
