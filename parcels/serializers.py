"""JSON shapes of the parcels API: GeoJSON features for the map, short rows for the search box."""

from __future__ import annotations

import json

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from parcels.models import Parcel, Zone
from parcels.selectors import API_COORDINATE_DECIMALS

_LONLAT = {
    "type": "array",
    "items": {"type": "number", "format": "double"},
    "minItems": 2,
    "maxItems": 2,
    "description": "Longitude and latitude, EPSG:4326.",
    "example": [41.6367, 41.6434],
}
_BBOX = {
    "type": "array",
    "items": {"type": "number", "format": "double"},
    "minItems": 4,
    "maxItems": 4,
    "description": "minx, miny, maxx, maxy: longitude and latitude, EPSG:4326.",
    "example": [41.6362, 41.643, 41.6372, 41.6438],
}


@extend_schema_field({"type": "object", "description": "A GeoJSON geometry in EPSG:4326."})
class DatabaseGeoJSONField(serializers.Field):
    """Geometry that PostGIS already wrote as GeoJSON text (selectors.parcels_for_api)."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        return json.loads(value)


class RoundedFloatField(serializers.FloatField):
    def __init__(self, *, decimals: int, **kwargs):
        self.decimals = decimals
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        return round(float(value), self.decimals)


@extend_schema_field(_LONLAT)
class LonLatField(serializers.Field):
    """A GEOS point in EPSG:4326 as [lon, lat]."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        return [round(value.x, API_COORDINATE_DECIMALS), round(value.y, API_COORDINATE_DECIMALS)]


@extend_schema_field(_BBOX)
class ExtentField(serializers.Field):
    """The extent of a GEOS geometry in EPSG:4326 as [minx, miny, maxx, maxy]."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        return [round(v, API_COORDINATE_DECIMALS) for v in value.extent]


class ZoneSummarySerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text="In the language of the request.")

    class Meta:
        model = Zone
        fields = ["code", "name", "k1", "k2", "k3", "max_height_m"]
        extra_kwargs = {
            field: {"coerce_to_string": False} for field in ("k1", "k2", "k3", "max_height_m")
        }
        read_only_fields = fields


class ParcelFeatureSerializer(GeoFeatureModelSerializer):
    """One parcel as a GeoJSON Feature; its id is the cadastral code."""

    id = serializers.CharField(source="cadastral_code", read_only=True)
    geom = DatabaseGeoJSONField(source="geojson")
    area_m2 = RoundedFloatField(decimals=1, help_text="Area in square metres, 0.1 m².")
    land_use_label = serializers.CharField(
        source="get_land_use_display", read_only=True, help_text="In the language of the request."
    )
    address = serializers.CharField(
        read_only=True, help_text="In the language of the request (Accept-Language)."
    )
    municipality = serializers.CharField(source="municipality.code", read_only=True)
    zone = ZoneSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = Parcel
        geo_field = "geom"
        id_field = "id"
        fields = [
            "id",
            "geom",
            "cadastral_code",
            "area_m2",
            "land_use",
            "land_use_label",
            "address",
            "address_ka",
            "address_en",
            "municipality",
            "zone",
            "is_municipal_property",
            "valid_from",
        ]
        read_only_fields = fields


class ParcelSearchResultSerializer(serializers.ModelSerializer):
    """A search hit: enough for a list row and for the map to fly to it."""

    address = serializers.CharField(read_only=True, help_text="In the language of the request.")
    area_m2 = RoundedFloatField(decimals=1)
    land_use_label = serializers.CharField(source="get_land_use_display", read_only=True)
    municipality = serializers.CharField(source="municipality.code", read_only=True)
    center = LonLatField(help_text="A point on the parcel (not always its centroid).")
    bbox = ExtentField(source="envelope")

    class Meta:
        model = Parcel
        fields = [
            "cadastral_code",
            "address",
            "area_m2",
            "land_use_label",
            "municipality",
            "center",
            "bbox",
        ]
        read_only_fields = fields


class ParcelSearchResponseSerializer(serializers.Serializer):
    results = ParcelSearchResultSerializer(many=True)
