"""The protection orders' panel of the home page: orders about to lapse."""
from __future__ import annotations

from coordination.home import HomePanel
from coordination.protection.services import expiring_orders


def _build(user, now):
    orders = expiring_orders(user, now)
    return {"orders": orders} if orders else None


expiring = HomePanel("orders-expiring", "protection/home_expiring.html", _build)
