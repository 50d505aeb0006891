"""Attaching, listing, downloading and removing the documents of a case or a meeting."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import to_user_timezone
from sqlalchemy.orm import joinedload

from coordination import policy
from coordination.accounts.models import User
from coordination.audit.models import AuditAction
from coordination.audit.services import record
from coordination.cases.models import Case, Person, TimelineKind
from coordination.cases.timeline import add_event
from coordination.documents.content import EXTENSIONS, display_name, sniff
from coordination.documents.models import (
    CaseDocument,
    DocumentKind,
    MediaType,
    MeetingDocument,
)
from coordination.documents.storage import document_store
from coordination.extensions import db
from coordination.meetings.models import Meeting
from coordination.protection.models import ProtectionOrder
from coordination.refusals import Forbidden, NotFound, RuleBroken
from coordination.settings.services import get_setting

MEGABYTE = 1024 * 1024


@dataclass(frozen=True)
class Upload:
    """What the upload form carries, as plain data."""

    kind: DocumentKind
    filename: str | None
    data: bytes
    person_id: int | None = None
    order_id: int | None = None


def size_limit() -> int:
    """The largest file accepted, in bytes (the ``document_max_megabytes`` setting)."""
    return get_setting("document_max_megabytes") * MEGABYTE


def _checked(upload: Upload) -> MediaType:
    """The file's type judged by its content; RuleBroken for an empty,
    oversized or refused file (whatever its name says)."""
    if not upload.data:
        raise RuleBroken(_("The file is empty."), field="file")
    if len(upload.data) > size_limit():
        raise RuleBroken(_("The file is larger than %(num)s MB.",
                           num=get_setting("document_max_megabytes")), field="file")
    media_type = sniff(upload.data)
    if media_type is None:
        raise RuleBroken(_("Only PDF, JPEG and PNG files are accepted; this file is "
                           "none of them, whatever its name says."), field="file")
    return media_type


def attach(user: User, case: Case, upload: Upload) -> CaseDocument:
    """Check the file by its content, store it under a random name, record it."""
    if not policy.can(user, policy.Action.ATTACH_DOCUMENT, case):
        raise Forbidden("this user may not attach documents to this case")
    media_type = _checked(upload)
    _check_belongs(case, upload)
    document = _store(user, upload, CaseDocument(
        case_id=case.id, person_id=upload.person_id, order_id=upload.order_id,
        media_type=media_type, title=display_name(upload.filename, media_type)))
    add_event(case, TimelineKind.DOCUMENT_ATTACHED, user, at=document.uploaded_at)
    return document


#: The audit's name for each kind of document.
_OBJECT_TYPES = {CaseDocument: "case_document", MeetingDocument: "meeting_document"}


def _store(user: User, upload: Upload, document: CaseDocument | MeetingDocument):
    """The one way a file is kept, a case's or a meeting's: ``document`` (its
    owner, type and title set) is completed and recorded, the bytes put in
    the store under a random name; the attachment is audited."""
    document.kind = upload.kind
    document.stored_name = secrets.token_hex(16)
    document.size = len(upload.data)
    document.sha256 = hashlib.sha256(upload.data).hexdigest()
    document.agency_id, document.uploaded_by_id = user.agency_id, user.id
    db.session.add(document)
    db.session.flush()
    document_store().put(document.stored_name, upload.data)
    record(AuditAction.DOCUMENT_ATTACHED, user, _OBJECT_TYPES[type(document)], document.id)
    return document


def _check_belongs(case: Case, upload: Upload) -> None:
    """A person or an order named must be of this case (forged ids are refused)."""
    for model, object_id in ((Person, upload.person_id), (ProtectionOrder, upload.order_id)):
        if object_id is not None and db.session.scalar(
                sa.select(model.case_id).where(model.id == object_id)) != case.id:
            raise RuleBroken(_("Choose a value from the list."))


def readable_documents(user: User, case: Case) -> list[CaseDocument]:
    """The case's documents ``user`` may download, newest first (one query);
    a former party's own alone (``policy.items_read``)."""
    documents = db.session.scalars(
        sa.select(CaseDocument).where(CaseDocument.case_id == case.id)
        .options(joinedload(CaseDocument.agency), joinedload(CaseDocument.uploaded_by),
                 *policy.items_read(user, policy.case_reading(user, case)))
        .order_by(CaseDocument.uploaded_at.desc(), CaseDocument.id.desc())).all()
    return [d for d in documents
            if policy.can(user, policy.Action.READ_DOCUMENT, d, case_visible=True)]


def get_document_or_404(user: User, document_id: int) -> CaseDocument:
    """The document if ``user`` may read it; otherwise 404, like a missing one."""
    document = db.session.scalar(
        sa.select(CaseDocument).join(Case, Case.id == CaseDocument.case_id)
        .where(CaseDocument.id == document_id, policy.case_visibility_per_row(user)))
    if document is None or not policy.can(user, policy.Action.READ_DOCUMENT, document,
                                          case_visible=True):
        raise NotFound()
    return document


def read(user: User, document: CaseDocument | MeetingDocument) -> bytes:
    """The stored bytes of a document (a case's or a meeting's) ``user`` may
    read, loaded through its ``get_..._or_404``; the download is audited."""
    data = document_store().get(document.stored_name)
    record(AuditAction.DOCUMENT_DOWNLOADED, user, _OBJECT_TYPES[type(document)], document.id)
    return data


def remove_case_documents(case_ids: list[int]) -> int:
    """Delete the documents of ``case_ids``, files and rows (the retention
    rule: a document is personal data as a whole). Returns how many."""
    documents = db.session.scalars(
        sa.select(CaseDocument).where(CaseDocument.case_id.in_(case_ids))).all()
    store = document_store()
    for document in documents:
        store.delete(document.stored_name)
        db.session.delete(document)
    db.session.flush()
    return len(documents)


def attach_to_meeting(user: User, meeting: Meeting, upload: Upload) -> MeetingDocument:
    """A meeting's document: the same checks and store as a case's."""
    if not policy.can(user, policy.Action.ATTACH_MEETING_DOCUMENT, meeting):
        raise Forbidden("this user may not attach documents to this meeting")
    media_type = _checked(upload)
    day = to_user_timezone(meeting.scheduled_for).date()
    return _store(user, upload, MeetingDocument(
        meeting_id=meeting.id, media_type=media_type,
        # Never the uploaded name (MeetingDocument.title says why).
        title=f"{day.isoformat()}-{upload.kind.value}.{EXTENSIONS[media_type]}"))


def meeting_documents(user: User, meeting: Meeting) -> list[MeetingDocument]:
    """The meeting's documents ``user`` may download, newest first."""
    documents = db.session.scalars(
        sa.select(MeetingDocument).where(MeetingDocument.meeting_id == meeting.id)
        .options(joinedload(MeetingDocument.agency), joinedload(MeetingDocument.uploaded_by))
        .order_by(MeetingDocument.uploaded_at.desc(), MeetingDocument.id.desc())).all()
    return [d for d in documents if policy.can(user, policy.Action.READ_MEETING_DOCUMENT, d)]


def get_meeting_document_or_404(user: User, document_id: int) -> MeetingDocument:
    """The meeting's document if ``user`` may read it; otherwise 404, like a missing one."""
    document = db.session.scalar(
        sa.select(MeetingDocument).where(
            MeetingDocument.id == document_id,
            MeetingDocument.meeting_id.in_(
                policy.visible_meetings(user).with_only_columns(Meeting.id))))
    if document is None or not policy.can(user, policy.Action.READ_MEETING_DOCUMENT,
                                          document):
        raise NotFound()
    return document

