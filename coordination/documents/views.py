"""Attaching a document from the case page or the meeting page, and downloading one."""
from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response
from flask_babel import gettext as _

from coordination import policy
from coordination.cases.steps import load_case, to_case
from coordination.decorators import section_required
from coordination.documents import services
from coordination.documents.content import EXTENSIONS
from coordination.documents.models import DocumentKind
from coordination.documents.section import meeting_upload_form, upload_form
from coordination.meetings.services import get_meeting_or_404
from coordination.meetings.views import to_meeting
from coordination.pipeline import acting_user, allow_write, step

bp = Blueprint("documents", __name__)
cases_section = section_required(policy.Section.CASES)
meetings_section = section_required(policy.Section.MEETINGS)


def _about(value: str) -> dict:
    kind, _sep, number = (value or "").partition("-")
    if kind == "person" and number.isdigit():
        return {"person_id": int(number)}
    if kind == "order" and number.isdigit():
        return {"order_id": int(number)}
    return {}


@bp.route("/cases/<case:case_id>/documents", methods=["POST"])
@cases_section
@step(load=load_case, action=policy.Action.ATTACH_DOCUMENT, back=to_case("documents"),
      form=upload_form)
def upload(user, case, form):
    services.attach(user, case, _received(form, **_about(form.about.data)))
    return _("Document attached.")


@bp.route("/documents/<document:document_id>")
@cases_section
def download(document_id: int):
    user = acting_user()
    return _serve(user, services.get_document_or_404(user, document_id))


@bp.route("/meetings/<meeting:meeting_id>/documents", methods=["POST"])
@meetings_section
@step(load=get_meeting_or_404, action=policy.Action.ATTACH_MEETING_DOCUMENT,
      back=to_meeting("documents"), form=meeting_upload_form)
def upload_to_meeting(user, meeting, form):
    services.attach_to_meeting(user, meeting, _received(form))
    return _("Document attached.")


@bp.route("/meeting-documents/<meeting_document:document_id>")
@meetings_section
def download_meeting_document(document_id: int):
    user = acting_user()
    return _serve(user, services.get_meeting_document_or_404(user, document_id))


# --- the one upload and download path of a case's and a meeting's documents ---


def _received(form, **about) -> services.Upload:
    """The posted file of an upload form (a case's or a meeting's)."""
    file = form.file.data
    # One byte more than the limit is enough to refuse an oversized file.
    data = file.stream.read(services.size_limit() + 1)
    return services.Upload(kind=DocumentKind(form.kind.data), filename=file.filename,
                           data=data, **about)


def _serve(user, document) -> Response:
    """A document loaded through the policy, as a download (audited)."""
    data = services.read(user, document)
    allow_write("audit of a document download")
    return _attachment(data, document)


def _attachment(data: bytes, document) -> Response:
    fallback = f"document.{EXTENSIONS[document.media_type]}"
    return Response(data, mimetype=document.media_type.value, headers={
        # Always a download, never shown in the page's origin.
        "Content-Disposition":
            f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(document.title)}",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store",
    })
