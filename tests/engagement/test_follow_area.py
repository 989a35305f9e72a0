"""Following an area drawn on the map: new features (published by modules through
feature_event_publish) and new comments inside it are told; outside it, not. An area is one
polygon of a sensible size."""

import json

import pytest
from django.contrib.gis.geos import Polygon
from django.core.exceptions import ValidationError

from engagement import services
from engagement.models import Follow, Notification
from tests.engagement.conftest import LAYER, area_around, area_geojson, person, write


def test_a_feature_inside_the_area_is_told_and_one_outside_is_not(place, parcels, neighbour):
    services.follow_area(user=neighbour, area=area_geojson(area_around(place)), name="Home")
    outside = parcels["gorgiladze"]  # 100 m east of the area's edge

    services.feature_event_publish(
        layer=LAYER, feature_id=place.pk, geometry=place.geom, kind="new", title="A new place"
    )
    services.feature_event_publish(
        layer=LAYER, feature_id=outside.pk, geometry=outside.geom, kind="new", title="Far away"
    )
    told = Notification.objects.filter(recipient=neighbour)
    assert list(told.values_list("kind", flat=True)) == ["area_feature"]
    assert "A new place" in told.get().subject
    # The same event again is not told twice.
    services.feature_event_publish(
        layer=LAYER, feature_id=place.pk, geometry=place.geom, kind="new", title="A new place"
    )
    assert told.count() == 1


def test_comments_inside_the_area_are_told(place, parcels, author, neighbour):
    services.follow_area(user=neighbour, area=area_around(place), name="Home")
    inside = write(place, author, "Inside.")
    outside = write(parcels["gorgiladze"], author, "Outside.")
    assert Notification.objects.about(inside).get().recipient == neighbour
    assert Notification.objects.about(inside).get().kind == "comment_area"
    assert not Notification.objects.about(outside).exists()


def test_an_area_is_stored_in_the_storage_srid(place, neighbour, settings):
    follow = services.follow_area(user=neighbour, area=area_geojson(area_around(place)))
    follow.refresh_from_db()
    assert follow.area.srid == settings.SRID_STORAGE
    assert follow.area.geom_type == "Polygon"
    assert follow.area.contains(place.geom.centroid)


def test_an_area_too_large_or_not_a_polygon_is_refused(place, neighbour, settings):
    x0, y0, _, _ = place.geom.extent
    huge = Polygon.from_bbox((x0, y0, x0 + 6000, y0 + 6000))  # 36 km²
    huge.srid = settings.SRID_STORAGE
    with pytest.raises(ValidationError) as refused:
        services.follow_area(user=neighbour, area=huge)
    assert refused.value.error_dict["area"][0].code == "too_large"
    point = json.dumps({"type": "Point", "coordinates": [41.64, 41.64]})
    with pytest.raises(ValidationError) as refused:
        services.follow_area(user=neighbour, area=point)
    assert "area" in refused.value.message_dict
    assert not Follow.objects.exists()


def test_the_follows_page_takes_an_area_without_javascript(client, place, neighbour):
    client.force_login(neighbour)
    response = client.post(
        "/en/follows/", {"name": "Home", "area": area_geojson(area_around(place))}
    )
    assert response.status_code == 302
    assert Follow.objects.get(user=neighbour).name == "Home"
    page = client.get("/en/follows/").text
    assert "Home" in page and "follow-map-config" in page
    response = client.post("/en/follows/", {"name": "Bad", "area": "{not json"})
    assert response.status_code == 400 and "{not json" in response.text


@pytest.fixture
def followed(batumi, neighbour):
    """The neighbour follows an area around the site of the application to come; someone else
    an area a kilometre away."""
    from tests.permits.api_helpers import X, Y

    near = Polygon.from_bbox((X - 50, Y - 50, X + 70, Y + 70))
    far = Polygon.from_bbox((X + 1000, Y + 1000, X + 1100, Y + 1100))
    near.srid = far.srid = 32638
    services.follow_area(user=person("Far", "Away"), area=far)
    return services.follow_area(user=neighbour, area=near)


def test_submitting_and_deciding_a_permit_tell_those_following_the_area(
    followed, application, neighbour, batumi
):
    from cases.services import case_transition
    from core.models import Role
    from permits.services import permit_decision_issue
    from tests.cases.factories import staff

    told = Notification.objects.filter(recipient=neighbour)
    assert list(told.values_list("kind", flat=True)) == ["area_feature"]
    assert application.case.reference in told.get().subject
    assert f"/permits/register/{application.case.reference}/" in told.get().url

    planner = staff(batumi, Role.PLANNER)
    case_transition(case=application.case, to="in_review", by=planner)
    permit_decision_issue(application=application, outcome="approved", by=planner)
    assert sorted(told.values_list("kind", flat=True)) == ["area_feature", "feature_changed"]
    assert (
        not Notification.objects.exclude(recipient=neighbour)
        .filter(kind__in=["area_feature", "feature_changed"])
        .exists()
    )


def test_a_decision_taken_on_the_case_page_tells_those_following_the_area(
    followed, application, neighbour, batumi
):
    from cases.services import case_transition, decision_issue
    from core.models import Role
    from tests.cases.factories import staff

    planner = staff(batumi, Role.PLANNER)
    case_transition(case=application.case, to="in_review", by=planner)
    decision_issue(case=application.case, outcome="refused", by=planner, reasons="Too tall.")

    told = Notification.objects.filter(recipient=neighbour)
    assert sorted(told.values_list("kind", flat=True)) == ["area_feature", "feature_changed"]
