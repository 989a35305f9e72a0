"""Layers that the cadastre publishes: parcels, zones, blocks, streets and buildings."""

from layers.registry import Layer, register
from parcels.models import Block, Building, Parcel, Street, Zone

# Parcels are picked on the map from PARCEL_DETAIL_ZOOM; below it, down to PARCEL_MIN_ZOOM, tiles
# are overviews of the larger parcels (layers.registry.Layer.detail_zoom).
PARCEL_MIN_ZOOM = 10
PARCEL_DETAIL_ZOOM = 15
PARCEL_PROPERTIES = ("cadastral_code", "land_use", "area_m2", "is_municipal_property")

register(
    Layer(
        name="zones",
        title_ka="ზონირება",
        title_en="Zoning",
        description_ka="სამშენებლო ზონები K-1, K-2 და K-3 კოეფიციენტებით.",
        description_en="Land-use zones with their K-1, K-2 and K-3 coefficients.",
        queryset=lambda: Zone.objects.all(),
        properties=("code", "name_ka", "name_en", "k1", "k2", "k3", "max_height_m"),
        min_zoom=11,
        simplify_pixels=0.5,
        order=40,
        style=(
            {
                "type": "fill",
                "paint": {"fill-color": "#e9c46a", "fill-opacity": 0.12},
                "layout": {"visibility": "none"},
            },
        ),
    )
)

register(
    Layer(
        name="streets",
        title_ka="ქუჩები",
        title_en="Streets",
        queryset=lambda: Street.objects.all(),
        geometry_type="MultiLineString",
        properties=("name_ka", "name_en", "kind"),
        min_zoom=11,
        simplify_pixels=0.5,
        basemap=True,
        order=30,
        style=(
            {
                "type": "line",
                "paint": {
                    "line-color": "#ffffff",
                    "line-width": ["interpolate", ["linear"], ["zoom"], 12, 1, 17, 10],
                },
                "layout": {"line-cap": "round", "line-join": "round"},
            },
        ),
    )
)

register(
    Layer(
        name="blocks",
        title_ka="საკადასტრო კვარტლები",
        title_en="Cadastral blocks",
        queryset=lambda: Block.objects.all(),
        properties=("code",),
        min_zoom=13,
        basemap=True,
        order=35,
        style=(
            {
                "type": "line",
                "paint": {"line-color": "#c9bfae", "line-width": 1},
            },
        ),
    )
)

register(
    Layer(
        name="buildings",
        title_ka="შენობები",
        title_en="Buildings",
        queryset=lambda: Building.objects.all(),
        properties=("floors",),
        min_zoom=14,
        basemap=True,
        order=50,
        style=(
            {
                "type": "fill",
                "paint": {"fill-color": "#d9d0c1", "fill-outline-color": "#bfb3a0"},
            },
        ),
    )
)

register(
    Layer(
        name="parcels",
        title_ka="საკადასტრო ნაკვეთები",
        title_en="Cadastral parcels",
        description_ka="მიწის ნაკვეთები საკადასტრო კოდით (სადემონსტრაციო მონაცემები).",
        description_en="Land parcels with their cadastral codes (demo data).",
        queryset=lambda: Parcel.objects.current(),
        properties=PARCEL_PROPERTIES,
        # Tiles clip the stored EPSG:3857 copy; below z17 they carry what the map draws and
        # lists (the code and the ownership colour), the rest is read from the feature's card.
        tile_geometry_field="geom_web",
        tile_properties=((0, ("cadastral_code", "is_municipal_property")), (17, PARCEL_PROPERTIES)),
        min_zoom=PARCEL_MIN_ZOOM,
        detail_zoom=PARCEL_DETAIL_ZOOM,
        order=60,
        style=(
            {
                "type": "fill",
                "paint": {
                    "fill-color": [
                        "case",
                        ["boolean", ["feature-state", "selected"], False],
                        "#1d6fa5",
                        ["get", "is_municipal_property"],
                        "#2a9d8f",
                        "#4f7cac",
                    ],
                    "fill-opacity": [
                        "case",
                        ["boolean", ["feature-state", "selected"], False],
                        0.45,
                        ["get", "is_municipal_property"],
                        0.3,
                        0.08,
                    ],
                },
            },
            {
                "type": "line",
                "paint": {
                    "line-color": "#3b5f86",
                    "line-width": ["interpolate", ["linear"], ["zoom"], 15, 0.4, 18, 1.5],
                },
            },
        ),
    )
)
