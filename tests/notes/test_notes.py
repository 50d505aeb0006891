"""Case notes: visibility by agency, correction by the author within the window, history."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from coordination.audit.models import AuditAction, AuditEvent
from coordination.cases.models import Case, CaseStatus, TimelineEvent, TimelineKind
from coordination.extensions import db
from coordination.models_base import utcnow
from coordination.notes import services
from coordination.notes.models import CaseNote, NoteVisibility
from coordination.refusals import Forbidden, NotFound, RuleBroken
from coordination.territories.models import Territory
from tests.helpers import csrf_token, login, pid

SOKULUK = "41708222"


def _case() -> Case:
    return db.session.scalar(sa.select(Case).join(Case.district).where(
        Territory.code == SOKULUK, Case.status != CaseStatus.CLOSED).order_by(Case.id))


def _note(user, case, visibility=NoteVisibility.INVOLVED, text="Visited; she is safe."):
    return services.add_note(user, case, services.NoteData(utcnow().date(), visibility, text))


def _reader_outside_the_committee(case, user):
    """A Sokuluk demo user of another agency who sees the case."""
    from coordination import policy

    for name in ("police.sokuluk", "social.sokuluk", "health.sokuluk"):
        try:
            candidate = user(name)
        except AssertionError:
            continue
        if policy.can(candidate, policy.Action.VIEW_CASE, case):
            return candidate
    pytest.skip("no other agency sees this case in the demo data")


def test_a_note_is_audited_and_on_the_timeline(user):
    case = _case()
    note = _note(user("coordinator.sokuluk"), case)
    db.session.flush()
    assert db.session.scalar(sa.select(AuditEvent.action).where(
        AuditEvent.object_type == "case_note", AuditEvent.object_id == note.id)) \
        == AuditAction.NOTE_WRITTEN
    assert db.session.scalar(sa.select(sa.func.count()).where(
        TimelineEvent.case_id == case.id, TimelineEvent.kind == TimelineKind.NOTE_WRITTEN))


def test_an_own_agency_note_is_hidden_from_other_agencies(user):
    case = _case()
    author = user("coordinator.sokuluk")
    shared = _note(author, case, NoteVisibility.INVOLVED, "Shared with all.")
    private = _note(author, case, NoteVisibility.OWN_AGENCY, "Only for the committee.")
    other = _reader_outside_the_committee(case, user)
    readable = services.readable_notes(other, case)
    assert shared in readable and private not in readable
    with pytest.raises(NotFound):
        services.get_note_or_404(other, private.id)
    assert private in services.readable_notes(author, case)


def test_another_district_sees_no_note(user):
    note = _note(user("coordinator.sokuluk"), _case())
    with pytest.raises(NotFound):
        services.get_note_or_404(user("coordinator.karasuu"), note.id)


def test_only_the_author_corrects_within_the_window_and_the_history_is_kept(user, make_user):
    case = _case()
    author = user("coordinator.sokuluk")
    note = _note(author, case, text="First words.")
    colleague = make_user("colleague.notes", "SOKULUK-COMMITTEE")
    data = services.NoteData(note.dated_on, NoteVisibility.INVOLVED, "Corrected words.")
    with pytest.raises(Forbidden):
        services.edit_note(colleague, note, data, note.version)
    services.edit_note(author, note, data, note.version)
    db.session.flush()
    assert note.text == "Corrected words."
    assert [r.text for r in note.revisions] == ["First words."]
    late = note.written_at + services.edit_window() + timedelta(seconds=1)
    with pytest.raises(RuleBroken, match="passed"):
        services.edit_note(author, note, data, note.version, now=late)


def test_an_empty_or_future_note_is_refused(user):
    case, author = _case(), user("coordinator.sokuluk")
    with pytest.raises(RuleBroken):
        services.add_note(author, case, services.NoteData(utcnow().date(),
                                                          NoteVisibility.INVOLVED, "  "))
    with pytest.raises(RuleBroken):
        services.add_note(author, case, services.NoteData(
            utcnow().date() + timedelta(days=2), NoteVisibility.INVOLVED, "Tomorrow"))


def test_notes_through_the_case_page(login_as, browser):
    client = login_as("coordinator.sokuluk")
    case = _case()
    url = f"/cases/{pid(case)}"
    token = csrf_token(client.get(url).text)
    response = client.post(f"{url}/notes", data={
        "csrf_token": token, "dated_on": utcnow().date().isoformat(),
        "visibility": "own_agency", "text": "She asked us not to call after 18:00."})
    assert response.status_code == 302 and response.headers["Location"].endswith("#notes")
    note = db.session.scalar(sa.select(CaseNote).where(CaseNote.case_id == case.id))
    page = client.get(url).text
    assert "She asked us not to call after 18:00." in page
    assert f"/notes/{pid(note)}/edit" in page
    stranger = browser()
    login(stranger, "coordinator.karasuu")
    assert stranger.post(f"/notes/{pid(note)}/edit", data={"csrf_token": csrf_token(
        stranger.get("/cases").text)}).status_code == 404


def test_notes_are_never_in_the_case_list(login_as):
    client = login_as("coordinator.sokuluk")
    _note_text = "A sentence that must stay inside the case page."
    from coordination.accounts.models import User

    author = db.session.scalar(sa.select(User).where(User.username == "coordinator.sokuluk"))
    _note(author, _case(), text=_note_text)
    db.session.commit()
    assert _note_text not in client.get("/cases").text
