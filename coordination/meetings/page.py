"""What the meeting page offers the user: the forms for the steps they may take."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import to_user_timezone
from wtforms.fields.choices import SelectChoice

from coordination import policy
from coordination.accounts.models import User
from coordination.agencies.models import Agency
from coordination.cases.models import Case
from coordination.consent.services import ConsentCover, consent_cover
from coordination.documents import services as documents
from coordination.documents.section import meeting_upload_form
from coordination.followups.models import FollowUp
from coordination.followups.section import set_owner_choices
from coordination.meetings import services
from coordination.meetings.models import Meeting, MeetingStatus
from forms.fields import CHOOSE, choices
from forms.followups import WITHOUT_CONTACTS
from forms.meetings import (
    AgendaCaseForm,
    AttendanceForm,
    AttendeeForm,
    ButtonForm,
    DecisionForm,
    DiscussionNoteForm,
    MeetingStepForm,
    RemoveAttendeeForm,
    RescheduleForm,
)


@dataclass
class DecisionCover:
    """For one case a decision may be recorded on: what the survivor's
    consent covers, and the owners offered that will not see her contact
    details (named, as the choices cannot be marked for several cases)."""

    case: Case
    cover: ConsentCover
    without_contacts: list[Agency]


@dataclass
class MeetingPage:
    meeting: Meeting
    #: Open decisions of the committee's earlier meetings, reviewed first.
    review: list[FollowUp]
    #: Forms for the steps this user may take now; None where they may not.
    reschedule_form: RescheduleForm | None = None
    cancel_form: MeetingStepForm | None = None
    propose_form: ButtonForm | None = None
    agenda_form: AgendaCaseForm | None = None
    remove_form: ButtonForm | None = None
    attendance_form: AttendanceForm | None = None
    decision_form: DecisionForm | None = None
    #: Beside the decision form: each agenda case's consent cover.
    decision_covers: list[DecisionCover] = field(default_factory=list)
    #: The mark of an owner that will not see the contact details.
    marker: str = WITHOUT_CONTACTS
    held_form: MeetingStepForm | None = None
    #: The full minutes: people present, the note on each case.
    attendee_form: AttendeeForm | None = None
    remove_attendee_form: RemoveAttendeeForm | None = None
    note_form: DiscussionNoteForm | None = None
    #: Cases with a decision at this meeting (they stay on the agenda).
    decided: set[int] = field(default_factory=set)
    #: The meeting's documents this user may download, and the upload form.
    documents: list = field(default_factory=list)
    document_form: object | None = None


def build_meeting_page(user: User, meeting: Meeting) -> MeetingPage:
    """The meeting with the forms ``user`` may use on it, choices from the services."""
    page = MeetingPage(meeting, review=services.open_decisions_to_review(user, meeting),
                       decided={decision.case_id for decision in meeting.decisions})
    scheduled = meeting.status == MeetingStatus.SCHEDULED
    open_ = meeting.status != MeetingStatus.CANCELLED
    if scheduled and policy.can(user, policy.Action.MANAGE_MEETING, meeting):
        page.reschedule_form = RescheduleForm(
            formdata=None, version=meeting.version, place=meeting.place,
            scheduled_for=to_user_timezone(meeting.scheduled_for).replace(tzinfo=None))
        page.cancel_form = MeetingStepForm(formdata=None, version=meeting.version)
    if open_ and policy.can(user, policy.Action.PREPARE_AGENDA, meeting):
        page.agenda_form = AgendaCaseForm(formdata=None)
        page.remove_form = ButtonForm(formdata=None)
        if scheduled:
            page.propose_form = ButtonForm(formdata=None)
    if open_ and policy.can(user, policy.Action.RECORD_MEETING, meeting):
        page.attendance_form = AttendanceForm(
            formdata=None, version=meeting.version,
            agencies=[attendance.agency_id for attendance in meeting.attendances])
        set_attendance_choices(page.attendance_form, meeting)
        page.attendee_form = AttendeeForm(formdata=None)
        # The agencies invited, as the attendance form lists them (one query less).
        page.attendee_form.agency.choices = [("", "—"), *page.attendance_form.agencies.choices]
        page.remove_attendee_form = RemoveAttendeeForm(formdata=None)
        page.note_form = DiscussionNoteForm(formdata=None)
        cases = services.decision_cases(meeting)
        if cases:
            page.decision_form = DecisionForm(formdata=None)
            owners = services.attendance_candidates(meeting)
            page.decision_covers = [decision_cover(case, owners) for case in cases]
            set_decision_choices(page.decision_form, meeting, owners, page.decision_covers)
        if scheduled:
            page.held_form = MeetingStepForm(formdata=None, version=meeting.version)
    page.documents = documents.meeting_documents(user, meeting)
    if policy.can(user, policy.Action.ATTACH_MEETING_DOCUMENT, meeting):
        page.document_form = meeting_upload_form(user, meeting, display=True)
    return page


def set_attendance_choices(form: AttendanceForm, meeting: Meeting) -> None:
    form.agencies.choices = choices(
        (agency.id, f"{agency.name} ({agency.type.label})")
        for agency in services.attendance_candidates(meeting))


def set_decision_choices(form: DecisionForm, meeting: Meeting,
                         owners: list[Agency] | None = None,
                         covers: list[DecisionCover] = ()) -> None:
    """The agenda's open cases; owners among the agencies serving the territory.

    With ``covers`` (the page, not a post), each case's option lists the
    owners that will not see its contact details, for the page's script; with
    one case those owners are marked in the choices themselves."""
    without = {item.case.id: item.cover.without_contacts for item in covers}
    form.case.choices = [SelectChoice("", CHOOSE), *(
        SelectChoice(case.id, case.reference, {"data-without-contacts": " ".join(
            str(agency_id) for agency_id in sorted(without[case.id]))} if case.id in without
            else {})
        for case in services.decision_cases(meeting))]
    if owners is None:
        owners = services.attendance_candidates(meeting)
    set_owner_choices(form, owners, covers[0].cover.without_contacts
                      if len(covers) == 1 else frozenset())


def decision_cover(case: Case, owners: list[Agency]) -> DecisionCover:
    """What the consent covers on ``case``; the policy says which owners will
    not see the contact details."""
    cover = consent_cover(case, owners)
    return DecisionCover(case, cover, [a for a in owners if a.id in cover.without_contacts])
