"""The protection orders' panel of the home page: orders about to lapse,
each with what the user may do about it in place (extend a temporary order
at the survivor's request), else a link to the case's orders."""
from __future__ import annotations

from coordination.home import HomePanel, first_rows
from coordination.protection.section import order_steps
from coordination.protection.services import expiring_orders
from coordination.settings.services import get_setting


def _build(user, now):
    found = expiring_orders(user, now)
    if not found:
        return None
    orders = first_rows("orders-expiring", found)  # the soonest to lapse first
    # Revoking is not what an order about to lapse needs: only extending.
    return {"orders": orders, "total": len(found), "key": "orders-expiring", "now": now,
            "extendable": {o.id for o in orders if "extend" in order_steps(user, o, now)},
            "extended_days": get_setting("extended_temporary_order_days")}


expiring = HomePanel("orders-expiring", "protection/home_expiring.html", _build)
