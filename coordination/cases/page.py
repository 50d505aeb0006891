"""The case page, built from the sections the domains contribute.

Each domain (referrals, follow-ups, protection orders...) declares a
:class:`CaseSection` in its ``section.py``: what it loads with the case, who
sees it and with which forms, and its template. ``coordination/case_sections.py``
lists them in page order, and ``create_app`` hands that list to the app, so
this module never imports the domains that build on cases.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app, get_flashed_messages, request, url_for

from coordination import policy
from coordination.accounts.models import User
from coordination.cases.models import Case
from coordination.pipeline import REFUSED_FORM


@dataclass(frozen=True)
class CaseSection:
    """One part of the case page."""

    #: The anchor of the section (``#referrals``) and its key.
    key: str
    #: The template that draws it; it gets ``case``, ``section`` (the
    #: context ``build`` returned) and ``page``.
    template: str
    #: ``build(user, case, can)`` -> the section's context, or None when the
    #: user may not see the section. ``can(action, obj)`` asks the policy for
    #: an object of this case (known visible).
    build: Callable[[User, Case, Callable], dict | None]
    #: Loader options for :class:`Case` that the section reads, so that the
    #: whole page loads in a fixed number of queries.
    options: tuple = ()


@dataclass
class ShownSection:
    key: str
    template: str
    context: dict


@dataclass
class CasePage:
    case: Case
    sections: list[ShownSection] = field(default_factory=list)
    #: What the viewer's agency should do next, from what the sections
    #: loaded (``coordination/next_step.py``, handed over like the sections).
    next_step: object | None = None


#: The query parameter naming the one action form the case page draws
#: (``?form=send-referral``), by the id of the element it is drawn in.
FORM_PARAMETER = "form"


def refused_actions() -> list[str]:
    """The action URLs of the forms whose step was just refused (read from
    the flashed messages, which the request keeps once read)."""
    return [message for category, message
            in get_flashed_messages(with_categories=True) if category == REFUSED_FORM]


def form_wanted(key: str, endpoint: str, case: Case) -> bool:
    """Whether the case page draws the form ``key`` (posting to ``endpoint``
    for ``case``) on this request: asked for by its opener link
    (``?form=key``), or its step was just refused (drawn again beside its
    messages). Otherwise the page draws only the opener: building and drawing
    every form cost about a third of the page (docs/decisions.md). Any other
    value draws nothing."""
    return (request.args.get(FORM_PARAMETER) == key
            or url_for(endpoint, case_id=case.id) in refused_actions())


def sections() -> tuple[CaseSection, ...]:
    """The registered sections, in page order."""
    return current_app.extensions["case_sections"]


def page_options() -> list:
    """Every loader option the registered sections need."""
    return [option for section in sections() for option in section.options]


def build_case_page(user: User, case: Case) -> CasePage:
    """The sections ``user`` may see, each with the forms they may use."""
    def can(action: policy.Action, obj) -> bool:  # the case was loaded through the policy
        return policy.can(user, action, obj, case_visible=True)

    page = CasePage(case)
    for section in sections():
        context = section.build(user, case, can)
        if context is not None:
            page.sections.append(ShownSection(section.key, section.template, context))
    advise = current_app.extensions.get("case_next_step")
    if advise is not None:
        page.next_step = advise(user, page)
    return page
