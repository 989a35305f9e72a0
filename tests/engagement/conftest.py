"""Shared set-up of engagement's tests: a layer of parcels that takes comments (its comment
window set by each test), the people who write, follow and moderate, and notifications sent at
once unless a test asks for the job queue."""

from __future__ import annotations

import pytest
from django.contrib.gis.geos import Polygon

from core.models import Role
from engagement import services
from layers.registry import Layer
from layers.registry import registry as layers
from parcels.models import Parcel
from tests.cases.factories import staff
from tests.core.factories import UserFactory

LAYER = "test-places"
# Why comments on a parcel (by cadastral code) are not taken now; absent: they are.
CLOSED: dict[str, str] = {}


def _closed(properties: dict) -> str | None:
    return CLOSED.get(properties.get("cadastral_code"))


@pytest.fixture(autouse=True)
def engagement_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.NOTIFY_SYNC = True
    settings.GISPORTAL_PUBLIC_URL = "http://portal.test"
    settings.LANGUAGE_CODE = "en"
    return settings


@pytest.fixture
def place_layer(parcels):
    """Parcels as a layer that takes comments; `CLOSED` closes the window of one parcel."""
    CLOSED.clear()
    layer = Layer(
        name=LAYER,
        title_ka="სატესტო ადგილები",
        title_en="Test places",
        queryset=lambda: Parcel.objects.current(),
        properties=("cadastral_code",),
        comments=True,
        comments_open=_closed,
    )
    layers.register(layer)
    yield layer
    layers.unregister(LAYER)
    CLOSED.clear()


@pytest.fixture
def place(place_layer, parcels) -> Parcel:
    """A parcel in Batumi, commented on through the test layer."""
    return parcels["rustaveli"]


@pytest.fixture
def rustavi_place(place_layer, parcels) -> Parcel:
    return parcels["kostava"]


def person(first_name: str = "Nino", last_name: str = "Beridze", **kwargs):
    return UserFactory(first_name=first_name, last_name=last_name, **kwargs)


@pytest.fixture
def author(db):
    return person("Nino", "Beridze")


@pytest.fixture
def neighbour(db):
    return person("Giorgi", "Kapanadze")


@pytest.fixture
def moderator(batumi):
    return staff(batumi, Role.PETITIONS_MODERATOR)


@pytest.fixture
def rustavi_moderator(rustavi):
    return staff(rustavi, Role.MUNICIPAL_ADMIN)


def write(parcel: Parcel, by, body: str = "A fine place.", stance: str = "neutral", parent=None):
    """A comment through the service, as the pages and the API write it."""
    return services.comment_create(
        layer=LAYER, feature_id=parcel.pk, author=by, stance=stance, body=body, parent=parent
    )


def area_around(parcel: Parcel, margin: float = 50.0) -> Polygon:
    """A square area (EPSG:32638) around a parcel."""
    x0, y0, x1, y1 = parcel.geom.extent
    area = Polygon.from_bbox((x0 - margin, y0 - margin, x1 + margin, y1 + margin))
    area.srid = parcel.geom.srid
    return area


def area_geojson(polygon: Polygon) -> str:
    """The polygon as GeoJSON in EPSG:4326, as the follows page sends it."""
    return polygon.transform(4326, clone=True).json


@pytest.fixture
def application(batumi):
    """A permit application submitted in Batumi: on the public register layer, which takes
    comments while its neighbour consultation is open."""
    from cases.catalogue import catalogue_sync
    from cases.services import case_document_add
    from permits.services import (
        permit_application_start,
        permit_application_submit,
        permit_application_update,
    )
    from tests.cases.factories import applicant, pdf_file
    from tests.conftest import multi, square
    from tests.parcels.factories import ParcelFactory
    from tests.permits.api_helpers import X, Y
    from tests.permits.factories import ZoneFactory

    catalogue_sync()
    ZoneFactory(municipality=batumi)
    ParcelFactory(municipality=batumi, cadastral_code="05.24.11.005", geom=multi(square(X, Y, 20)))
    person = applicant(first_name="Ana", last_name="Applicant")
    application = permit_application_start(
        applicant=person, stage="merged", building_class="II", parcel_codes=["05.24.11.005"]
    )
    permit_application_update(application=application, by=person, footprint_area_m2=80, floors=2)
    for kind in application.case.service.document_types.filter(required=True):
        case_document_add(case=application.case, doc_type=kind.code, file=pdf_file(), by=person)
    permit_application_submit(application=application, by=person)
    return application
