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
