"""The transfers' panel of the home page: cases another district asks the
committee to take over."""
from __future__ import annotations

from coordination.home import HomePanel
from coordination.transfers.services import inbox


def _build(user, now):
    transfers = inbox(user)
    return {"transfers": transfers} if transfers else None


awaiting = HomePanel("transfers-awaiting", "transfers/home_awaiting.html", _build)
