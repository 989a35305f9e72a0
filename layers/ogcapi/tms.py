"""The one tile matrix set that the tiles use: OGC WebMercatorQuad (EPSG:3857, 256-pixel tiles)."""

from __future__ import annotations

from layers.tiles import MAX_ZOOM, WEB_MERCATOR_HALF

WEB_MERCATOR_QUAD = "WebMercatorQuad"
URI = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"
CRS = "http://www.opengis.net/def/crs/EPSG/0/3857"
TILE_SIZE = 256
# The standardized rendering pixel of OGC tile matrix sets: 0.28 mm.
PIXEL_METRES = 0.00028
LOWER_LEFT = [-WEB_MERCATOR_HALF, -WEB_MERCATOR_HALF]
UPPER_RIGHT = [WEB_MERCATOR_HALF, WEB_MERCATOR_HALF]
TOP_LEFT = [-WEB_MERCATOR_HALF, WEB_MERCATOR_HALF]


def definition() -> dict:
    """The tile matrix set as OGC Two Dimensional Tile Matrix Set 2.0 JSON.

    It also carries the names of version 1.0 (identifier, supportedCRS, lowerCorner,
    upperCorner, topLeftCorner), the only ones that GDAL 3.6 (Debian 12) reads.
    """
    matrices = []
    for z in range(MAX_ZOOM + 1):
        cell = 2 * WEB_MERCATOR_HALF / TILE_SIZE / (1 << z)
        matrices.append(
            {
                "id": str(z),
                "identifier": str(z),
                "scaleDenominator": cell / PIXEL_METRES,
                "cellSize": cell,
                "cornerOfOrigin": "topLeft",
                "pointOfOrigin": TOP_LEFT,
                "topLeftCorner": TOP_LEFT,
                "tileWidth": TILE_SIZE,
                "tileHeight": TILE_SIZE,
                "matrixWidth": 1 << z,
                "matrixHeight": 1 << z,
            }
        )
    return {
        "id": WEB_MERCATOR_QUAD,
        "identifier": WEB_MERCATOR_QUAD,
        "title": "Google Maps Compatible for the World",
        "uri": URI,
        "crs": CRS,
        "supportedCRS": CRS,
        "orderedAxes": ["X", "Y"],
        "boundingBox": {
            "lowerLeft": LOWER_LEFT,
            "upperRight": UPPER_RIGHT,
            "lowerCorner": LOWER_LEFT,
            "upperCorner": UPPER_RIGHT,
            "crs": CRS,
            "orderedAxes": ["X", "Y"],
        },
        "wellKnownScaleSet": "http://www.opengis.net/def/wkss/OGC/1.0/GoogleMapsCompatible",
        "tileMatrices": matrices,
    }
