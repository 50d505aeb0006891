"""The follow-ups' panels of the home page: the agency's follow-ups falling
due (overdue first) and the high-risk cases that have no plan yet."""
from __future__ import annotations

from flask import request

from coordination.followups.section import follow_up_steps, undoable
from coordination.followups.services import DUE_SOON_DAYS, due_soon, high_risk_without_plan
from coordination.home import PANEL_ROWS, HomePanel
from coordination.worklists import acted_panel, acted_row


def _due(user, now):
    today = now.date()
    rows, total = due_soon(user, today, PANEL_ROWS)
    # Just marked done here: its undo stays beside the message, as in the list.
    undo = (undoable(user, acted_row(request.args), rows)
            if acted_panel(request.args) == due.key else None)
    if not rows and undo is None:
        return None
    return {"rows": rows, "total": total, "today": today, "days": DUE_SOON_DAYS,
            "steps": {f.id: follow_up_steps(user, f) for f in rows}, "undo": undo}


def _without_plan(user, now):
    rows, total = high_risk_without_plan(user, PANEL_ROWS)
    return {"rows": rows, "total": total} if rows else None


due = HomePanel("follow-ups-due", "followups/home_due.html", _due)
without_plan = HomePanel("high-risk-without-plan", "followups/home_without_plan.html",
                         _without_plan)
