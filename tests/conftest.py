"""Fixtures shared by every test: two small municipalities drawn by hand, in EPSG:32638."""

import datetime

import pytest
from django.conf import settings
from django.contrib.gis.geos import MultiPolygon, Polygon

from core.models import District, Municipality
from parcels.models import LandUse, Parcel, Zone


def square(x: float, y: float, size: float, srid: int = settings.SRID_STORAGE) -> Polygon:
    polygon = Polygon.from_bbox((x, y, x + size, y + size))
    polygon.srid = srid
    return polygon


def multi(*polygons: Polygon) -> MultiPolygon:
    return MultiPolygon(*polygons, srid=polygons[0].srid)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Real hashing is slow by design; tests need only that passwords are checked."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]


@pytest.fixture(autouse=True)
def private_tile_cache(settings):
    """Each test gets an empty in-memory tile cache instead of the one under .state/."""
    from django.core.cache import caches

    settings.CACHES = {
        **settings.CACHES,
        "tiles": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tiles"},
    }
    caches["tiles"].clear()
    yield
    caches["tiles"].clear()


@pytest.fixture(autouse=True)
def fresh_local_cache():
    """Counts and extents are cached by layer version, which a rolled-back test may reuse."""
    from django.core.cache import caches

    caches["local"].clear()


@pytest.fixture(autouse=True)
def force_login_passes_second_factor(monkeypatch):
    """`client.force_login(staff)` stands for a whole sign-in, the second factor included: the
    session gets the record allauth writes after a TOTP code (core/mfa.py). Tests of the
    second factor itself sign in through the forms (tests/core/test_mfa*.py)."""
    from django.http import HttpRequest
    from django.test import Client

    from core.mfa import holds_staff_role, record_second_factor

    force_login = Client.force_login

    def force_login_with_second_factor(self, user, backend=None):
        force_login(self, user, backend)
        if holds_staff_role(user):
            request = HttpRequest()
            request.session = self.session
            record_second_factor(request, user)
            request.session.save()

    monkeypatch.setattr(Client, "force_login", force_login_with_second_factor)


@pytest.fixture
def table_owner(django_db_blocker):
    """The test's connection is the owner of the tables, not the application role (core/db/owner.py):
    for commands that change indexes or constraints. Ask for it before any database fixture."""
    from core.db.owner import as_owner

    with django_db_blocker.unblock(), as_owner():
        yield


@pytest.fixture
def english_messages(settings):
    """English as the default language, for tests that compare messages with their source text.

    Georgian is the portal's default; tests of Georgian text ask for it explicitly.
    """
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


# Batumi's centre is near (41.64 E, 41.64 N): about x=220,150 y=4,615,260 in UTM 38N.
BATUMI_ORIGIN = (218000.0, 4613000.0)
# Rustavi's centre is near (45.00 E, 41.55 N): about x=500,000 y=4,599,815 in UTM 38N.
RUSTAVI_ORIGIN = (498000.0, 4598000.0)


@pytest.fixture
def batumi(db) -> Municipality:
    x, y = BATUMI_ORIGIN
    municipality = Municipality.objects.create(
        code="BTM",
        name_ka="ბათუმი",
        name_en="Batumi",
        ocha_code="GE1511",
        boundary=multi(square(x, y, 4000)),
        center_lon=41.64,
        center_lat=41.64,
    )
    District.objects.create(
        municipality=municipality,
        code="old-town",
        name_ka="ძველი ქალაქი",
        name_en="Old Town",
        boundary=multi(square(x, y, 2000)),
    )
    return municipality


@pytest.fixture
def rustavi(db) -> Municipality:
    x, y = RUSTAVI_ORIGIN
    return Municipality.objects.create(
        code="RST",
        name_ka="რუსთავი",
        name_en="Rustavi",
        ocha_code="GE4411",
        boundary=multi(square(x, y, 4000)),
        center_lon=45.0,
        center_lat=41.55,
    )


def make_parcel(municipality, code: str, x: float, y: float, size: float = 30.0, **fields):
    geom = multi(square(x, y, size))
    defaults = {
        "land_use": LandUse.RESIDENTIAL,
        "valid_from": datetime.date(2024, 1, 1),
        "address_ka": "",
        "address_en": "",
    }
    defaults.update(fields)
    return Parcel.objects.create(
        cadastral_code=code, municipality=municipality, geom=geom, area_m2=geom.area, **defaults
    )


# A zone and three parcels drawn by hand for the page tests.


@pytest.fixture
def zone(batumi) -> Zone:
    x, y = BATUMI_ORIGIN
    return Zone.objects.create(
        municipality=batumi,
        code="SZ-6",
        name_ka="საცხოვრებელი ზონა 6",
        name_en="Residential zone 6",
        k1="0.50",
        k2="1.80",
        k3="0.30",
        max_height_m="25.0",
        geom=multi(square(x, y, 1000)),
    )


@pytest.fixture
def parcels(batumi, rustavi, zone) -> dict[str, Parcel]:
    x, y = BATUMI_ORIGIN
    rx, ry = RUSTAVI_ORIGIN
    return {
        # 20 m × 20 m = 400 m²: with K-1 0.5 and K-2 1.8 a 200 m² footprint, 720 m² of floors.
        "rustaveli": make_parcel(
            batumi,
            "05.24.11.005",
            x + 100,
            y + 100,
            size=20.0,
            zone=zone,
            address_ka="რუსთაველის ქ. 12",
            address_en="Rustaveli St. 12",
            is_municipal_property=True,
        ),
        "gorgiladze": make_parcel(
            batumi,
            "05.24.11.006",
            x + 200,
            y + 100,
            land_use=LandUse.COMMERCIAL,
            address_ka="გორგილაძის ქ. 3",
            address_en="Gorgiladze St. 3",
        ),
        "kostava": make_parcel(
            rustavi,
            "02.07.03.011",
            rx + 100,
            ry + 100,
            address_ka="კოსტავას გამზ. 20",
            address_en="Kostava Ave. 20",
        ),
    }
