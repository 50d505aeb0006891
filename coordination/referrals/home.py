"""The referrals' panel of the home page: what waits for the agency's answer."""
from __future__ import annotations

from coordination.home import PANEL_ROWS, HomePanel
from coordination.referrals.section import referral_steps
from coordination.referrals.services import awaiting_answer


def _build(user, now):
    rows, total = awaiting_answer(user, PANEL_ROWS)
    # Answered in place, as in the inbox: the steps this user may take.
    return {"rows": rows, "total": total, "now": now,
            "steps": {r.id: referral_steps(user, r) for r in rows}}


awaiting = HomePanel("referrals-awaiting", "referrals/home_awaiting.html", _build)
