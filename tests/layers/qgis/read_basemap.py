"""Run by Debian's python3 with python3-qgis: load the one-source basemap style as QGIS does
and draw it, print JSON facts.

Usage: python3 read_basemap.py BASE_URL LON LAT
"""

import json
import sys
import urllib.request

from qgis.core import (
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsMapBoxGlStyleConversionContext,
    QgsMapBoxGlStyleConverter,
    QgsMapRendererSequentialJob,
    QgsMapSettings,
    QgsPointXY,
    QgsProject,
    QgsRectangle,
    QgsVectorTileLayer,
)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor

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

mercator = QgsCoordinateReferenceSystem("EPSG:3857")
to_mercator = QgsCoordinateTransform(
    QgsCoordinateReferenceSystem("EPSG:4326"), mercator, QgsProject.instance()
)
centre = to_mercator.transform(QgsPointXY(lon, lat))
settings = QgsMapSettings()
settings.setLayers([tiles])
settings.setDestinationCrs(mercator)
settings.setOutputSize(QSize(256, 256))
settings.setBackgroundColor(QColor(255, 255, 255))
settings.setExtent(
    QgsRectangle(centre.x() - 150, centre.y() - 150, centre.x() + 150, centre.y() + 150)
)
job = QgsMapRendererSequentialJob(settings)
job.start()
job.waitForFinished()
image = job.renderedImage()
facts["pixels_drawn"] = sum(
    1
    for x in range(0, 256, 4)
    for y in range(0, 256, 4)
    if image.pixelColor(x, y) != QColor(255, 255, 255)
)
print(json.dumps(facts))
