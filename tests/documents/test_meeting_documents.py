"""Documents attached to a committee meeting: the round trip, the hostile
files, who reads them (the members of the committee holding the meeting)."""
from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from coordination.accounts.models import Role
from coordination.accounts.services import create_user
from coordination.agencies.models import Agency
from coordination.audit.models import AuditAction, AuditEvent
from coordination.documents import services
from coordination.documents.models import DocumentKind, MediaType, MeetingDocument
from coordination.extensions import db
from coordination.meetings.models import Meeting
from coordination.refusals import Forbidden, RuleBroken
from tests.documents.test_documents import EXECUTABLE, SVG, _pdf, _png
from tests.helpers import DEMO_PASSWORD, csrf_token, login, pid


@pytest.fixture
def folder(app, tmp_path):
    app.config["DOCUMENTS_FOLDER"] = str(tmp_path / "documents")
    yield tmp_path / "documents"
    app.config["DOCUMENTS_FOLDER"] = None


def _meeting(committee: str = "SOKULUK-COMMITTEE") -> Meeting:
    return db.session.scalar(sa.select(Meeting).join(Agency, Agency.id == Meeting.committee_id)
                             .where(Agency.code == committee).order_by(Meeting.id))


def _upload(client, meeting, data: bytes, name: str, kind: str = "other"):
    url = f"/meetings/{pid(meeting)}"
    token = csrf_token(client.get(url).text)
    return client.post(f"{url}/documents", data={
        "csrf_token": token, "kind": kind, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data")


def _documents(meeting) -> list[MeetingDocument]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(MeetingDocument).where(
        MeetingDocument.meeting_id == meeting.id).order_by(MeetingDocument.id)))


def test_a_meeting_document_round_trips(login_as, folder):
    client = login_as("coordinator.sokuluk")
    meeting = _meeting()
    data = _pdf()
    response = _upload(client, meeting, data, "Өмүрбекова Айгүл тизме.pdf", kind="consent_form")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("#documents")
    [document] = _documents(meeting)
    assert document.media_type == MediaType.PDF and document.size == len(data)
    assert [p.name for p in folder.iterdir()] == [document.stored_name]
    page = client.get(f"/meetings/{pid(meeting)}").text
    link = f"/meeting-documents/{pid(document)}"
    # A meeting's record keeps no uploaded name (it may name the survivor).
    assert document.title.endswith("-consent_form.pdf") and "Өмүрбекова" not in document.title
    assert link in page and document.title in page and "Өмүрбекова" not in page
    download = client.get(link)
    assert download.status_code == 200 and download.data == data
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.mimetype == "application/pdf"
    actions = set(db.session.scalars(sa.select(AuditEvent.action).where(
        AuditEvent.object_type == "meeting_document", AuditEvent.object_id == document.id)))
    assert actions == {AuditAction.DOCUMENT_ATTACHED, AuditAction.DOCUMENT_DOWNLOADED}


@pytest.mark.parametrize(("data", "name"), [
    (EXECUTABLE, "attendance.pdf"),  # a renamed executable
    (SVG, "sheet.png"),  # an SVG with a script, named as an image
    (SVG, "sheet.svg"),
    (b"", "empty.pdf"),
])
def test_hostile_files_are_refused_on_a_meeting(login_as, folder, data, name):
    client = login_as("coordinator.sokuluk")
    meeting = _meeting()
    response = _upload(client, meeting, data, name)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).text
    assert "accepted" in page or "empty" in page
    assert _documents(meeting) == []
    assert not folder.exists() or list(folder.iterdir()) == []


def test_an_oversized_file_is_refused_on_a_meeting(user, folder):
    meeting = _meeting()
    big = _pdf()
    big = big[:-6] + b" " * (5 * 1024 * 1024) + big[-6:]
    with pytest.raises(RuleBroken, match="larger than 5 MB"):
        services.attach_to_meeting(user("coordinator.sokuluk"), meeting,
                                   services.Upload(DocumentKind.OTHER, "big.pdf", big))
    assert _documents(meeting) == []


def test_a_path_in_the_name_is_dropped_on_a_meeting(login_as, folder):
    client = login_as("coordinator.sokuluk")
    meeting = _meeting()
    _upload(client, meeting, _png(), "../../windows/system32/evil.exe")
    [document] = _documents(meeting)
    assert document.title.endswith("-other.png") and "/" not in document.title
    assert [p.name for p in folder.iterdir()] == [document.stored_name]
    assert not (folder.parent / "windows").exists()


def test_only_the_committee_holding_the_meeting_reads_its_documents(login_as, browser, user,
                                                                   folder):
    owner = login_as("coordinator.sokuluk")
    meeting = _meeting()
    _upload(owner, meeting, _png(), "sheet.png")
    [document] = _documents(meeting)
    link = f"/meeting-documents/{pid(document)}"
    # A member (not the head) of the same committee reads and attaches.
    committee = db.session.scalar(sa.select(Agency).where(Agency.code == "SOKULUK-COMMITTEE"))
    create_user("member.sokuluk", "Гүлзат Бекова", committee, Role.MEMBER, DEMO_PASSWORD)
    db.session.commit()
    member = browser()
    login(member, "member.sokuluk")
    assert member.get(link).status_code == 200
    services.attach_to_meeting(user("member.sokuluk"), meeting,
                               services.Upload(DocumentKind.OTHER, "letter.png", _png()))
    # Another district's committee: like a missing document. Agencies of the
    # same territory that attend the meeting do not open it, nor its files.
    for username, status in (("coordinator.karasuu", 404), ("police.sokuluk", 403),
                             ("social.sokuluk", 403), ("ministry.analyst", 403),
                             ("admin", 403)):
        other = browser()
        login(other, username)
        assert other.get(link).status_code == status, username
        assert other.get(f"/meeting-documents/{pid(99999999, 'meeting_document')}"
                         ).status_code == status, username
    with pytest.raises(Forbidden):
        services.attach_to_meeting(user("coordinator.karasuu"), meeting,
                                   services.Upload(DocumentKind.OTHER, "x.png", _png()))
    karasuu_page = browser()
    login(karasuu_page, "coordinator.karasuu")
    assert karasuu_page.get(f"/meetings/{pid(_meeting('KARASUU-COMMITTEE'))}").status_code == 200
    assert link not in karasuu_page.get(
        f"/meetings/{pid(_meeting('KARASUU-COMMITTEE'))}").text
