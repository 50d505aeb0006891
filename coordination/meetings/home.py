"""The committee's panel of the home page: its next meeting and the
decisions still open, which that meeting reviews first."""
from __future__ import annotations

from coordination import policy
from coordination.home import PANEL_ROWS, HomePanel
from coordination.meetings.services import meeting_counts, next_meeting, open_committee_decisions


def _build(user, now):
    if not policy.may_use(user, policy.Section.MEETINGS):
        return None
    meeting = next_meeting(user, now)
    decisions, total = open_committee_decisions(user, PANEL_ROWS)
    if meeting is None and not decisions:
        return None
    counts = meeting_counts([meeting.id])[meeting.id] if meeting is not None else None
    return {"meeting": meeting, "counts": counts, "decisions": decisions, "total": total,
            "today": now.date()}


next_meeting_panel = HomePanel("next-meeting", "meetings/home_next.html", _build)
