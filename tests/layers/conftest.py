"""The publishing services' tests compare messages with their English source text."""

import pytest

from layers.registry import Layer, Visibility, registry
from parcels.models import Parcel


@pytest.fixture(autouse=True)
def english(english_messages):
    yield


@pytest.fixture
def staff_only_layer():
    """A parcels layer for staff only, registered for one test."""
    layer = registry.register(
        Layer(
            name="staff-parcels",
            title_ka="შიდა",
            title_en="Internal",
            queryset=lambda: Parcel.objects.all(),
            properties=("cadastral_code",),
            visibility=Visibility.STAFF,
        )
    )
    yield layer
    registry.unregister(layer.name)
