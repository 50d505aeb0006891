"""The lead agency's home panel: safety plans due for review."""
from __future__ import annotations

from coordination.home import HomePanel
from coordination.safety.services import plans_due


def _build(user, now):
    plans = plans_due(user, now.date())
    return {"plans": plans, "today": now.date()} if plans else None


review_due = HomePanel("safety-plans-due", "safety/home_due.html", _build)
