"""Working through a list in place: a row's step returns to the same list.

A step form drawn in a row of an inbox (accept, decline, mark done) posts
``from_list`` and the list's filters and position beside its own fields.
The step's ``back`` then answers with that list, filtered and positioned
as it was, naming the row acted on (``acted``, its opaque token), so that
the page draws the step's message next to the row, or above the list when
the row has left it (an accepted referral is no longer awaiting an answer).
Only the list's own filters are read back, through the list's parser, and
the URL is built by ``url_for``: the form cannot send the user elsewhere.

The home page's panels are worked through the same way: a row's step posts
``from_list=home`` and ``panel`` (the panel's key) and comes back to ``/``
with the message in that panel.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from flask import request, url_for

from coordination.home import panel_keys
from coordination.public_ids import token

#: The posted field naming the list a row's step was taken from.
FROM_LIST = "from_list"
#: ``from_list`` of a step taken in a panel of the home page.
HOME = "home"
#: The posted field (and query parameter) naming the home page's panel.
PANEL = "panel"
#: The shape of a record's token (coordination/public_ids.py).
_TOKEN = re.compile(r"[a-z2-7]{13}")


def acted_row(args) -> str | None:
    """The token of the row a step was just taken on (``acted``), if well formed."""
    acted = args.get("acted", "")
    return acted if _TOKEN.fullmatch(acted) else None


def acted_panel(args) -> str | None:
    """The key of the home page's panel a step was just taken in, if it is one."""
    panel = args.get(PANEL, "")
    return panel if panel in panel_keys() else None


def back_to_list(lists: dict[str, tuple[str, Callable]], otherwise: Callable) -> Callable:
    """``back`` for a step that may be taken in a list's row.

    ``lists`` maps a ``from_list`` value to (endpoint, parser): the parser
    (``Filters.from_args``) reads the posted filters and its ``args()``
    gives the list's query string. A step taken elsewhere (the case page)
    goes back by ``otherwise(user, obj)``. Any of them may also be taken
    from a panel of the home page (:data:`HOME`).
    """
    def back(user, obj) -> str:
        from_list = request.form.get(FROM_LIST, "")
        if from_list == HOME:
            panel = acted_panel(request.form)
            if panel is not None:
                acted = token(obj)
                return url_for("core.index", panel=panel, acted=acted,
                               _anchor=f"message-{acted}")
        chosen = lists.get(from_list)
        if chosen is None:
            return otherwise(user, obj)
        endpoint, parse = chosen
        acted = token(obj)
        # A position is a record's token; the list ignores anything else.
        after = request.form.get("after", "")
        after = after if _TOKEN.fullmatch(after) else None
        return url_for(endpoint, **parse(request.form).args(), after=after, acted=acted,
                       _anchor=f"message-{acted}")

    return back
