"""The S3-compatible document store against a real S3 server on 127.0.0.1:
moto's server (the dev extra), started by the test in its own process. The
round trip through the pages, the headers of a download, the retention job
removing the object, and a meeting's document in the same store."""
from __future__ import annotations

import socket
import subprocess
import sys
import time

import pytest
import sqlalchemy as sa

from coordination.documents.models import CaseDocument, MeetingDocument
from coordination.documents.storage import S3Store, document_store
from coordination.extensions import db
from coordination.maintenance.retention import anonymize
from tests.documents.test_documents import SOKULUK, _case, _pdf, _png, _upload
from tests.documents.test_meeting_documents import _meeting
from tests.documents.test_meeting_documents import _upload as _upload_to_meeting
from tests.helpers import pid

boto3 = pytest.importorskip("boto3", reason="the dev extra installs boto3 and moto[server]")
pytest.importorskip("moto.server", reason="the dev extra installs moto[server]")

BUCKET = "coordination-documents"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
               "AWS_DEFAULT_REGION": "us-east-1"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    """moto's S3 server on a free port of 127.0.0.1, for this module."""
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 (our own interpreter, fixed arguments)
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("moto's S3 server did not start") from None
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture
def bucket(app, s3_endpoint, monkeypatch):
    """The app configured for the S3 store; the bucket's client for the checks."""
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    before = {key: app.config.get(key) for key in (
        "DOCUMENT_STORE", "DOCUMENTS_S3_BUCKET", "DOCUMENTS_S3_ENDPOINT_URL",
        "DOCUMENTS_S3_REGION", "DOCUMENTS_FOLDER")}
    app.config.update(DOCUMENT_STORE="s3", DOCUMENTS_S3_BUCKET=BUCKET,
                      DOCUMENTS_S3_ENDPOINT_URL=s3_endpoint, DOCUMENTS_S3_REGION="us-east-1",
                      DOCUMENTS_FOLDER="/nonexistent/no-local-writes")
    app.extensions.pop("document_store", None)
    yield client
    app.config.update(before)
    app.extensions.pop("document_store", None)
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])


def _keys(client) -> list[str]:
    return [item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def test_the_configuration_selects_the_s3_store(bucket):
    store = document_store()
    assert isinstance(store, S3Store) and store.bucket == BUCKET
    assert document_store() is store  # one client (and its connections) per app


def test_a_document_round_trips_through_the_s3_store(login_as, bucket):
    client = login_as("coordinator.sokuluk")
    case = _case(SOKULUK)
    data = _pdf()
    assert _upload(client, case, data, "Өмүрбекова справка.pdf").status_code == 302
    document = db.session.scalar(sa.select(CaseDocument).where(CaseDocument.case_id == case.id))
    assert _keys(bucket) == [f"documents/{document.stored_name}"]
    stored = bucket.get_object(Bucket=BUCKET, Key=f"documents/{document.stored_name}")
    assert stored["Body"].read() == data
    download = client.get(f"/documents/{pid(document)}")
    assert download.status_code == 200 and download.data == data
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.mimetype == "application/pdf"


def test_a_hostile_file_never_reaches_the_bucket(login_as, bucket):
    client = login_as("coordinator.sokuluk")
    _upload(client, _case(SOKULUK), b"MZ\x90\x00" + b"\x00" * 100, "scan.pdf")
    assert _keys(bucket) == []


def test_the_retention_job_removes_the_object(login_as, bucket):
    client = login_as("coordinator.sokuluk")
    case = _case(SOKULUK)
    _upload(client, case, _png(), "photo.png")
    [key] = _keys(bucket)
    anonymize([case.id])
    db.session.flush()
    assert _keys(bucket) == []
    assert db.session.scalar(sa.select(sa.func.count(CaseDocument.id)).where(
        CaseDocument.case_id == case.id)) == 0
    assert key.startswith("documents/")


def test_a_meetings_document_in_the_s3_store(login_as, bucket):
    client = login_as("coordinator.sokuluk")
    meeting = _meeting()
    assert _upload_to_meeting(client, meeting, _png(), "sheet.png").status_code == 302
    document = db.session.scalar(sa.select(MeetingDocument).where(
        MeetingDocument.meeting_id == meeting.id))
    assert _keys(bucket) == [f"documents/{document.stored_name}"]
    download = client.get(f"/meeting-documents/{pid(document)}")
    assert download.data == _png()
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"


def test_the_s3_store_refuses_names_that_are_not_its_own(bucket):
    store = document_store()
    for name in ("../x", "/etc/passwd", "a" * 32 + "/..", ""):
        with pytest.raises(ValueError):
            store.put(name, b"x")
    assert _keys(bucket) == []
