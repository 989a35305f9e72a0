"""WFS answers in a fixed number of queries, however many features there are.

Each request asks the registry's sources once (uploaded datasets: one query); then GetFeature
runs the features query, plus a count when the page is not the whole result, and the layer's
version when there is a next page (its first key is remembered under it).
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from layers.registry import registry
from tests.parcels.factories import ParcelFactory

BASE = "/wfs?SERVICE=WFS&VERSION=2.0.0"
GET = f"{BASE}&REQUEST=GetFeature&TYPENAMES=parcels"


def read(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        read(response)  # streamed bodies run their query while they are read
    assert response.status_code == 200
    return len(queries.captured_queries)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", 2),  # sources, features (numberMatched is the page's own length)
        ("&OUTPUTFORMAT=geojson", 2),
        # sources, features, count for numberMatched, the layer's version (under which the
        # page's last key is kept for the next STARTINDEX)
        ("&COUNT=2", 4),
        ("&COUNT=2&OUTPUTFORMAT=geojson", 4),
        ("&RESULTTYPE=hits", 2),  # sources, count
    ],
)
def test_get_feature_queries_do_not_grow_with_the_features(client, batumi, query, expected):
    ParcelFactory.create_batch(3, municipality=batumi)
    assert queries_for(client, GET + query) == expected
    ParcelFactory.create_batch(20, municipality=batumi)
    assert queries_for(client, GET + query) == expected


def test_describe_feature_type_needs_only_the_registry(client, batumi, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get(f"{BASE}&REQUEST=DescribeFeatureType&TYPENAMES=parcels")
    assert response.status_code == 200


def test_capabilities_reuse_the_extents_until_a_layer_changes(client, batumi):
    # One query for the sources and one version per layer; an extent (a scan of the whole
    # table) only when that layer's data changed since it was last computed.
    layers = len(registry.visible_to(AnonymousUser(), None))
    capabilities = f"{BASE}&REQUEST=GetCapabilities"
    ParcelFactory.create_batch(3, municipality=batumi)
    queries_for(client, capabilities)
    ParcelFactory.create_batch(20, municipality=batumi)
    with CaptureQueriesContext(connection) as queries:
        client.get(capabilities)
    extents = [q["sql"] for q in queries.captured_queries if "ST_EXTENT" in q["sql"].upper()]
    assert len(extents) == 1 and "parcels_parcel" in extents[0]
    assert queries_for(client, capabilities) == 1 + layers
