"""In Chromium: on the follows page an area is drawn on the map with the map kit's draw field,
which fills the form's GeoJSON field; sent, it is followed and shown on the map."""

import json
import os

import pytest
from django.utils import translation

from engagement.models import Follow
from tests.browser.test_boundary_map import sign_in
from tests.core.factories import UserFactory

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.browser


def test_an_area_drawn_on_the_map_is_followed(page, page_errors, live_server, cities):
    person = UserFactory(first_name="Nino", last_name="Beridze")
    sign_in(page, live_server, person)
    with translation.override("en"):
        page.goto("/en/follows/")
    container = page.locator("#follow-area-map")
    page.wait_for_function(
        "() => document.getElementById('follow-area-map').dataset.state === 'idle'"
    )
    page.get_by_role("button", name="Draw a rectangle").click()
    box = container.locator("canvas").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.click(cx - 40, cy - 30)
    page.mouse.move(cx, cy)
    page.mouse.click(cx + 40, cy + 30)
    textarea = page.locator("textarea[name='area']")
    page.wait_for_function(
        "(el) => el.value.includes('\"Polygon\"')", arg=textarea.element_handle()
    )
    drawn = json.loads(textarea.input_value())
    assert drawn["type"] == "Polygon"

    page.locator("input[name='name']").fill("Around home")
    page.get_by_role("button", name="Follow this area").click()
    page.wait_for_url("**/en/follows/")
    follow = Follow.objects.get(user=person)
    assert follow.name == "Around home" and follow.area.geom_type == "Polygon"
    assert "Around home" in page.content()
    assert not page_errors
