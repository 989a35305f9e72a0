"""The one tile matrix set that the tiles use: OGC WebMercatorQuad (EPSG:3857, 256-pixel tiles)."""

from __future__ import annotations

from layers.tiles import MAX_ZOOM, WEB_MERCATOR_HALF

WEB_MERCATOR_QUAD = "WebMercatorQuad"
URI = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"
CRS = "http://www.opengis.net/def/crs/EPSG/0/3857"
TILE_SIZE = 256
# The standardized rendering pixel of OGC tile matrix sets: 0.28 mm.
PIXEL_METRES = 0.00028


def definition() -> dict:
    """The tile matrix set as OGC Two Dimensional Tile Matrix Set 2.0 JSON."""
    matrices = []
    for z in range(MAX_ZOOM + 1):
        cell = 2 * WEB_MERCATOR_HALF / TILE_SIZE / (1 << z)
        matrices.append(
            {
                "id": str(z),
                "scaleDenominator": cell / PIXEL_METRES,
                "cellSize": cell,
                "cornerOfOrigin": "topLeft",
                "pointOfOrigin": [-WEB_MERCATOR_HALF, WEB_MERCATOR_HALF],
                "tileWidth": TILE_SIZE,
                "tileHeight": TILE_SIZE,
                "matrixWidth": 1 << z,
                "matrixHeight": 1 << z,
            }
        )
    return {
        "id": WEB_MERCATOR_QUAD,
        "title": "Google Maps Compatible for the World",
        "uri": URI,
        "crs": CRS,
        "orderedAxes": ["X", "Y"],
        "wellKnownScaleSet": "http://www.opengis.net/def/wkss/OGC/1.0/GoogleMapsCompatible",
        "tileMatrices": matrices,
    }
