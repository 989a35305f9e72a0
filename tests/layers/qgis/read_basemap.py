"""Run by Debian's python3 with python3-qgis: load the one-source basemap style as QGIS does
and draw it, print JSON facts.

Usage: python3 read_basemap.py BASE_URL LON LAT
"""

import json
import sys
import urllib.request

from drawing import pixels_drawn
from qgis.core import (
    QgsApplication,
    QgsMapBoxGlStyleConversionContext,
    QgsMapBoxGlStyleConverter,
    QgsVectorTileLayer,
)

base, lon, lat = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
app = QgsApplication([], False)
app.initQgis()
facts = {}

with urllib.request.urlopen(f"{base}/tiles/basemap.json?lang=en") as answer:
    style = json.load(answer)
facts["sources"] = list(style["sources"])
source = style["sources"][facts["sources"][0]]
tiles = QgsVectorTileLayer(
    f"type=xyz&url={source['tiles'][0]}&zmin={source['minzoom']}&zmax={source['maxzoom']}",
    "gisportal basemap",
)
facts["tiles_valid"] = tiles.isValid()
context = QgsMapBoxGlStyleConversionContext()
converter = QgsMapBoxGlStyleConverter()
converter.convert(style, context)
facts["warnings"] = list(context.warnings())
tiles.setRenderer(converter.renderer())
facts["styled_layers"] = sorted({style.layerName() for style in converter.renderer().styles()})

facts["pixels_drawn"] = pixels_drawn(tiles, lon, lat)
print(json.dumps(facts))
