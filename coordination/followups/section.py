"""The action plan (follow-ups) section of the case page."""
from __future__ import annotations

from flask import request
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from coordination import policy
from coordination.agencies.models import Agency
from coordination.cases.models import Case
from coordination.cases.page import CaseSection, form_wanted
from coordination.consent.services import consent_cover
from coordination.followups.models import FollowUp, FollowUpStatus
from coordination.followups.services import (
    get_follow_up_or_404,
    owner_candidates,
    owner_people,
    undo_window_open,
)
from coordination.models_base import utcnow
from coordination.public_ids import decode
from coordination.refusals import NotFound
from forms.fields import choose_then
from forms.followups import WITHOUT_CONTACTS, FollowUpForm, owner_label


def set_owner_choices(form, agencies: list[Agency],
                      without_contacts: frozenset[int] = frozenset()) -> None:
    """Owners from the policy (agencies serving the case's place), and their staff.

    The person responsible is offered under their agency (an ``<optgroup>``
    each, so without a script the list still shows whose staff is whose),
    each option marked with its agency: the page's script (static/js/app.js)
    then offers only the chosen agency's staff. The service refuses anyone
    else (``add_follow_up``: "The person must work at the owning agency").

    Agencies in ``without_contacts`` (those the policy will not show the
    survivor's contact details, ``consent_cover``) are marked so: the
    warning is in the page before the form is sent, without a script."""
    form.owner_agency.choices = choose_then(
        (a.id, owner_label(a.name, a.id in without_contacts)) for a in agencies)
    names = {a.id: a.name for a in agencies}
    people = sorted(owner_people(list(names)), key=lambda u: (names[u.agency_id], u.full_name))
    form.owner_user.choices = [
        SelectChoice("", "—"),
        *(SelectChoice(u.id, u.full_name, {"data-agency": str(u.agency_id)},
                       optgroup=names[u.agency_id]) for u in people)]


def add_form(user, case: Case) -> FollowUpForm:
    """The form as posted (the page shows it with :func:`_shown_form`)."""
    form = FollowUpForm()
    set_owner_choices(form, owner_candidates(case))
    return form


def follow_up_steps(user, follow_up: FollowUp) -> list[str]:
    """"done" and/or "cancel" where the policy lets ``user`` and the
    follow-up is still open; "undo" of a mistaken "done" within the window."""
    if follow_up.status != FollowUpStatus.OPEN:
        if (follow_up.closed_by_id == user.id and undo_window_open(follow_up, utcnow())
                and policy.can(user, policy.Action.UNDO_FOLLOW_UP_DONE, follow_up,
                               case_visible=True)):
            return ["undo"]
        return []
    steps = []
    if policy.can(user, policy.Action.COMPLETE_FOLLOW_UP, follow_up, case_visible=True):
        steps.append("done")
    if policy.can(user, policy.Action.CANCEL_FOLLOW_UP, follow_up, case_visible=True):
        steps.append("cancel")
    return steps


#: The action of each button of a follow-up.
OUTCOME_ACTIONS = {"done": policy.Action.COMPLETE_FOLLOW_UP,
                   "cancel": policy.Action.CANCEL_FOLLOW_UP}


def undoable(user, acted: str | None, rows: list):
    """The follow-up just marked done from a list (or a home panel), while
    its "done" may still be undone by this user: drawn with its undo button
    above the rows it has left."""
    follow_up_id = decode("follow_up", acted) if acted else None
    if follow_up_id is None or any(f.id == follow_up_id for f in rows):
        return None
    try:
        follow_up = get_follow_up_or_404(user, follow_up_id)
    except NotFound:
        return None
    return follow_up if "undo" in follow_up_steps(user, follow_up) else None


def close_action(follow_up: FollowUp) -> policy.Action:
    """The action of the button pressed (``outcome``); either for a missing one."""
    return OUTCOME_ACTIONS.get(request.form.get("outcome", ""), policy.Action.CLOSE_FOLLOW_UP)


def _shown_form(case: Case):
    """The form as the page shows it, and what the consent covers: the
    owners it leaves without the contact details are marked."""
    agencies = owner_candidates(case)
    cover = consent_cover(case, agencies)
    form = FollowUpForm(formdata=None)
    set_owner_choices(form, agencies, cover.without_contacts)
    return form, cover


def _build(user, case, can):
    may_add = can(policy.Action.ADD_FOLLOW_UP, case)
    # The form (its owners, their staff and the consent's cover) only when drawn.
    form, cover = _shown_form(case) if may_add and form_wanted(
        "add-follow-up", "followups.add", case) else (None, None)
    return {
        "may_open": {"add-follow-up"} if may_add else set(),
        "form": form,
        "cover": cover,
        "marker": WITHOUT_CONTACTS,
        "steps": {f.id: follow_up_steps(user, f) for f in case.follow_ups},
        "now": utcnow(),
        # For the case summary: the open follow-up due soonest.
        "next_due": min((f for f in case.follow_ups if f.status == FollowUpStatus.OPEN),
                        key=lambda f: (f.due_on, f.id), default=None),
    }


section = CaseSection("follow-ups", "followups/section.html", _build, options=(
    # Whether an owner will see the contact details: consent and referrals.
    selectinload(Case.consents), selectinload(Case.referrals),
    selectinload(Case.follow_ups).joinedload(FollowUp.owner_agency),
    selectinload(Case.follow_ups).joinedload(FollowUp.owner_user),
    selectinload(Case.follow_ups).joinedload(FollowUp.meeting)))
