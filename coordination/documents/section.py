"""The documents section of the case page: the list and the upload form."""
from __future__ import annotations

from coordination import policy
from coordination.cases.page import CaseSection, form_wanted
from coordination.documents.services import readable_documents
from forms.documents import MeetingUploadForm, UploadForm
from forms.fields import choices


def upload_form(user, case, display: bool = False) -> UploadForm:
    """The form, its "about" choices being the people and orders of this case."""
    form = UploadForm(formdata=None) if display else UploadForm()
    about = [("", "—")]
    about += [(f"person-{p.id}", f"{p.role_label}: {p.last_name} {p.first_name}")
              for p in case.people]
    about += [(f"order-{o.id}", f"{o.kind.label} · {o.issued_at:%Y-%m-%d}")
              for o in case.protection_orders]
    form.about.choices = choices(about)
    return form


def meeting_upload_form(user, meeting, display: bool = False) -> MeetingUploadForm:
    """The form on the meeting page (a meeting has no people or orders to name)."""
    return MeetingUploadForm(formdata=None) if display else MeetingUploadForm()


def _build(user, case, can):
    documents = readable_documents(user, case)
    may_attach = can(policy.Action.ATTACH_DOCUMENT, case)
    if not documents and not may_attach:
        return None
    # The form only when drawn (form_wanted).
    form = upload_form(user, case, display=True) if may_attach and form_wanted(
        "attach-document", "documents.upload", case) else None
    return {"documents": documents, "form": form,
            "may_open": {"attach-document"} if may_attach else set()}


section = CaseSection("documents", "documents/section.html", _build)
