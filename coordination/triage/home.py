"""The triage panel of the home page: incoming reports waiting in the district."""
from __future__ import annotations

from coordination import policy
from coordination.home import PANEL_ROWS, HomePanel
from coordination.triage.services import waiting_reports


def _build(user, now):
    if not policy.may_use(user, policy.Section.TRIAGE):
        return None
    rows, total = waiting_reports(user, PANEL_ROWS)
    return {"rows": rows, "total": total, "now": now}


waiting = HomePanel("triage-waiting", "triage/home_waiting.html", _build)
