"""In Chromium: the sections of a case's page lie in the page's flow, one under another, and not
in the map page's floating panel (a shared class name once stacked them all at one corner)."""

import os

from core.models import Role
from tests.browser.test_boundary_map import sign_in, submitted  # noqa: F401 (a fixture)
from tests.cases.factories import staff

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

BOXES = """() => [...document.querySelectorAll('main .panel')]
    .filter((e) => e.offsetParent !== null)
    .map((e) => {
        const r = e.getBoundingClientRect();
        return {top: r.top + window.scrollY, bottom: r.bottom + window.scrollY,
                position: getComputedStyle(e).position};
    })"""


def test_the_case_page_sections_follow_one_another(page, live_server, submitted, tmp_path):  # noqa: F811
    sign_in(page, live_server, staff(submitted.case.municipality, Role.PLANNER))
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/en/cases/{submitted.case.reference}/")

    boxes = page.evaluate(BOXES)
    page.screenshot(path=str(tmp_path / "case.png"), full_page=True)
    assert len(boxes) >= 3
    assert {b["position"] for b in boxes} == {"static"}
    for above, below in zip(boxes, boxes[1:], strict=False):
        assert below["top"] >= above["bottom"] - 1  # no section lies over another
