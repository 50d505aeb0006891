"""The home page of the roles that work on cases: what needs their agency today.

Each domain contributes panels (referrals to answer, orders expiring...) as
:class:`HomePanel` objects in its ``home.py``; ``coordination/home_panels.py``
lists them in page order and ``create_app`` hands that list to the app, so
this package imports no domain.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app, has_request_context, request

from coordination.accounts.models import User


@dataclass(frozen=True)
class HomePanel:
    """One part of the home page."""

    key: str
    #: The template that draws it; it gets ``panel`` (what ``build`` returned).
    template: str
    #: ``build(user, now)`` -> the panel's context, or None when the panel is
    #: not for this user's agency. Queries go through the policy and load a
    #: bounded number of rows in a fixed number of statements.
    build: Callable[[User, object], dict | None]


@dataclass
class ShownPanel:
    key: str
    template: str
    context: dict


#: The rows a panel of what comes due shows, the first first, unless
#: ``?all=<panel>`` asks for every one: a large district's day must not make
#: its home page long (docs/PERFORMANCE.md).
PANEL_ROWS = 10


def first_rows(key: str, rows: list) -> list:
    """The rows panel ``key`` shows of ``rows``: all when the request asks
    for them (``?all=<key>``), else the first :data:`PANEL_ROWS`."""
    if has_request_context() and request.args.get("all") == key:
        return rows
    return rows[:PANEL_ROWS]


def panels() -> tuple[HomePanel, ...]:
    return current_app.extensions["home_panels"]


def panel_keys() -> frozenset[str]:
    """The keys of the panels (a step taken in one names it to come back to it)."""
    return frozenset(panel.key for panel in panels())


def build_home(user: User, now) -> list[ShownPanel]:
    """The panels for ``user``, each with what it shows."""
    shown = []
    for panel in panels():
        context = panel.build(user, now)
        if context is not None:
            shown.append(ShownPanel(panel.key, panel.template, context))
    return shown
