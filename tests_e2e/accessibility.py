"""The accessibility check run on every page the journeys visit: axe-core as
shipped inside the axe-playwright-python package (nothing fetched at run
time), failing on any serious or critical violation."""
from __future__ import annotations

#: Impacts that fail a journey.
FAILING = ("serious", "critical")


def check_accessibility(page) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    bad = [v for v in results.response["violations"] if v.get("impact") in FAILING]
    assert not bad, (page.url, [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:5])
                                for v in bad])


#: The two widths every page is checked at: a desktop and a phone.
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def check_both_widths(page) -> None:
    """axe at the width in use and at the other one (phone from a desktop,
    desktop from a phone), then the page back at its own width."""
    own = page.viewport_size or DESKTOP
    other = DESKTOP if own["width"] < DESKTOP["width"] else PHONE
    check_accessibility(page)
    page.set_viewport_size(other)
    try:
        check_accessibility(page)
    finally:
        page.set_viewport_size(own)


#: Pages that are the same on every visit (the sign-in form), checked once a run.
_CHECKED_ONCE: set[str] = set()


def check_once(page, name: str) -> None:
    """:func:`check_both_widths` the first time the page named ``name`` is
    visited in this run: the sign-in form, before every journey, is the same."""
    if name not in _CHECKED_ONCE:
        _CHECKED_ONCE.add(name)
        check_both_widths(page)
