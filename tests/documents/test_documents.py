"""Documents on a case: the round trip, the hostile files, access by others, retention."""
from __future__ import annotations

import io
import struct
import zlib

import pytest
import sqlalchemy as sa

from coordination.audit.models import AuditAction, AuditEvent
from coordination.cases.models import Case, CaseStatus, TimelineEvent, TimelineKind
from coordination.documents import services
from coordination.documents.content import display_name, sniff
from coordination.documents.models import CaseDocument, DocumentKind, MediaType
from coordination.documents.storage import LocalStore
from coordination.extensions import db
from coordination.maintenance.retention import anonymize
from coordination.refusals import RuleBroken
from coordination.territories.models import Territory
from exports.case_records import Part, PrintedRecord, render_record
from tests.helpers import csrf_token, login, pid

SOKULUK, KARASUU = "41708222", "41706226"


def _pdf() -> bytes:
    return render_record(PrintedRecord("Справка", "—", "—", "—", "%(page)s/%(pages)s",
                                       [Part("Бөлүм", lines=[("Аты", "Өмүрбекова")])]))


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b""))


EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 50 + b"PE\x00\x00" + b"\x90" * 200
SVG = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">'
       b'<script>alert(document.cookie)</script></svg>')


@pytest.fixture
def folder(app, tmp_path):
    app.config["DOCUMENTS_FOLDER"] = str(tmp_path / "documents")
    yield tmp_path / "documents"
    app.config["DOCUMENTS_FOLDER"] = None


def _case(code: str) -> Case:
    return db.session.scalar(sa.select(Case).join(Case.district).where(
        Territory.code == code, Case.status != CaseStatus.CLOSED).order_by(Case.id))


def _upload(client, case, data: bytes, name: str, kind: str = "certificate"):
    url = f"/cases/{pid(case)}"
    token = csrf_token(client.get(url).text)
    return client.post(f"{url}/documents", data={
        "csrf_token": token, "kind": kind, "about": "",
        "file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def _documents(case) -> list[CaseDocument]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(CaseDocument).where(
        CaseDocument.case_id == case.id).order_by(CaseDocument.id)))


def test_a_document_round_trips(login_as, folder):
    client = login_as("coordinator.sokuluk")
    case = _case(SOKULUK)
    data = _pdf()
    response = _upload(client, case, data, "Өмүрбекова справка.pdf")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("#documents")
    [document] = _documents(case)
    assert document.media_type == MediaType.PDF and document.size == len(data)
    assert document.title == "Өмүрбекова справка.pdf"
    # Stored under a random name in the folder, never the uploaded one.
    assert [p.name for p in folder.iterdir()] == [document.stored_name]
    page = client.get(f"/cases/{pid(case)}").text
    link = f"/documents/{pid(document)}"
    assert link in page and "Өмүрбекова справка.pdf" in page
    download = client.get(link)
    assert download.status_code == 200
    assert download.data == data
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.mimetype == "application/pdf"
    # The upload and the download are audited; the upload is on the timeline.
    actions = set(db.session.scalars(sa.select(AuditEvent.action).where(
        AuditEvent.object_type == "case_document", AuditEvent.object_id == document.id)))
    assert actions == {AuditAction.DOCUMENT_ATTACHED, AuditAction.DOCUMENT_DOWNLOADED}
    assert db.session.scalar(sa.select(sa.func.count()).where(
        TimelineEvent.case_id == case.id, TimelineEvent.kind == TimelineKind.DOCUMENT_ATTACHED))


@pytest.mark.parametrize(("data", "name"), [
    (EXECUTABLE, "certificate.pdf"),  # a renamed executable
    (EXECUTABLE, "scan.jpg"),
    (SVG, "scan.png"),  # an SVG with a script, named as an image
    (SVG, "image.svg"),
    (b"%PDF-1.7\n1 0 obj<</OpenAction<</S/JavaScript/JS(app.alert(1))>>>>endobj\n%%EOF\n",
     "court.pdf"),  # a PDF that runs a script
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "photo.png"),  # a signature without the structure
    (b"", "empty.pdf"),
])
def test_hostile_files_are_refused_and_nothing_is_stored(login_as, folder, data, name):
    client = login_as("coordinator.sokuluk")
    case = _case(SOKULUK)
    response = _upload(client, case, data, name)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).text
    assert "accepted" in page or "empty" in page or "Choose a file" in page
    assert _documents(case) == []
    assert not folder.exists() or list(folder.iterdir()) == []


def test_an_oversized_file_is_refused(user, folder):
    """Through the service: the upload form hands it the bytes read (at most
    the limit and one byte more)."""
    case = _case(SOKULUK)
    big = _pdf()
    big = big[:-6] + b" " * (5 * 1024 * 1024) + big[-6:]  # still a PDF, 5 MB and more
    with pytest.raises(RuleBroken, match="larger than 5 MB"):
        services.attach(user("coordinator.sokuluk"), case,
                        services.Upload(DocumentKind.CERTIFICATE, "big.pdf", big))
    assert _documents(case) == []
    assert len(big[:services.size_limit() + 1]) > services.size_limit()


def test_a_request_over_the_server_limit_gets_a_page_not_an_error(login_as, folder, app):
    client = login_as("coordinator.sokuluk")
    case = _case(SOKULUK)
    too_big = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post(f"/cases/{pid(case)}/documents", data=too_big,
                           content_type="multipart/form-data; boundary=x")
    assert response.status_code == 413
    assert _documents(case) == []


def test_a_path_in_the_name_is_dropped(login_as, folder):
    client = login_as("coordinator.sokuluk")
    case = _case(SOKULUK)
    _upload(client, case, _png(), "../../../etc/cron.d/evil.exe")
    [document] = _documents(case)
    assert document.title == "evil.png"
    assert [p.name for p in folder.iterdir()] == [document.stored_name]
    assert not (folder.parent / "etc").exists()


def test_another_district_gets_404_like_a_missing_document(login_as, browser, folder):
    owner = login_as("coordinator.sokuluk")
    case = _case(SOKULUK)
    _upload(owner, case, _png(), "photo.png")
    [document] = _documents(case)
    for username in ("coordinator.karasuu", "police.karasuu"):
        other = browser()
        login(other, username)
        assert other.get(f"/documents/{pid(document)}").status_code == 404
        assert other.get(f"/documents/{pid(99999999, 'document')}").status_code == 404


def test_the_content_decides_not_the_name():
    assert sniff(_pdf()) == MediaType.PDF
    assert sniff(_png()) == MediaType.PNG
    assert sniff(b"\xff\xd8\xff\xe0" + b"\x00" * 20 + b"\xff\xd9") == MediaType.JPEG
    assert sniff(EXECUTABLE) is None and sniff(SVG) is None
    assert display_name("C:\\Users\\a\\..\\x.PDF", MediaType.JPEG) == "x.jpg"
    assert display_name("\x00\x1f", MediaType.PDF) == "document.pdf"


def test_the_store_refuses_names_that_are_not_its_own(tmp_path):
    store = LocalStore(tmp_path)
    for name in ("../x", "/etc/passwd", "a" * 32 + "/..", ""):
        with pytest.raises(ValueError):
            store.put(name, b"x")


def test_retention_removes_the_documents_with_the_cases_personal_data(login_as, folder):
    client = login_as("coordinator.sokuluk")
    case = _case(SOKULUK)
    _upload(client, case, _png(), "photo.png")
    [document] = _documents(case)
    stored = folder / document.stored_name
    assert stored.exists()
    anonymize([case.id])
    db.session.flush()
    assert _documents(case) == []
    assert not stored.exists()


def test_the_size_limit_is_a_setting(app):
    from coordination.settings.services import SPECS

    spec = SPECS["document_max_megabytes"]
    assert spec.maximum * 1024 * 1024 < app.config["MAX_CONTENT_LENGTH"]


def _upload_about(client, case, about: str):
    url = f"/cases/{pid(case)}"
    token = csrf_token(client.get(url).text)
    return client.post(f"{url}/documents", data={
        "csrf_token": token, "kind": "consent_form", "about": about,
        "file": (io.BytesIO(_pdf()), "согласие.pdf")}, content_type="multipart/form-data")


def _case_with_an_order(code: str) -> Case:
    return next(case for case in db.session.scalars(sa.select(Case).join(Case.district).where(
        Territory.code == code, Case.status != CaseStatus.CLOSED).order_by(Case.id))
        if case.protection_orders)


def test_a_document_about_a_person_and_one_about_an_order(login_as, folder):
    client = login_as("coordinator.sokuluk")
    case = _case_with_an_order(SOKULUK)
    person, order = case.people[0], case.protection_orders[0]
    for about in (f"person-{person.id}", f"order-{order.id}"):
        response = _upload_about(client, case, about)
        assert response.status_code == 302, about
    about_person, about_order = _documents(case)
    assert (about_person.person_id, about_person.order_id) == (person.id, None)
    assert (about_order.person_id, about_order.order_id) == (None, order.id)
    section = client.get(f"/cases/{pid(case)}?lang=ru").text.split('id="documents"')[1]
    shown = section.split('class="document-about"')
    assert len(shown) == 3
    # Newest first: the order's document, then the person's.
    about_order_text, about_person_text = [part.split("</span>")[0] for part in shown[1:]]
    assert about_person_text.startswith(">Касается: ")
    assert f"{person.last_name} {person.first_name}" in about_person_text
    assert about_order_text.startswith(">Касается: ")
    assert order.issued_at.strftime("%Y-%m-%d") in about_order_text


def test_a_person_or_order_of_another_case_is_refused_and_nothing_stored(login_as, folder):
    client = login_as("coordinator.sokuluk")
    case = _case(SOKULUK)
    others = [c for c in db.session.scalars(sa.select(Case).where(Case.id != case.id)
                                             .order_by(Case.id)) if c.protection_orders]
    other = others[0]
    for about in (f"person-{other.people[0].id}", f"order-{other.protection_orders[0].id}",
                  "person-x", "order-"):
        response = _upload_about(client, case, about)
        assert response.status_code in (302, 400), about
        assert _documents(case) == [] and _documents(other) == [], about
    assert not folder.exists() or list(folder.iterdir()) == []
    # The refusal is said in the user's language.
    page = client.get(f"/cases/{pid(case)}").text
    assert "Not a valid choice" in page or "Choose a value from the list." in page
