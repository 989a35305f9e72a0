"""Run by Debian's python3 with python3-qgis: read the portal as QGIS would, print JSON facts.

Usage: python3 read_portal.py BASE_URL LON LAT
"""

import json
import sys

from qgis.core import (
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsMapRendererSequentialJob,
    QgsMapSettings,
    QgsPointXY,
    QgsProject,
    QgsRectangle,
    QgsVectorLayer,
    QgsVectorTileLayer,
)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor

base, lon, lat = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
app = QgsApplication([], False)
app.initQgis()
facts = {}

features = QgsVectorLayer(f"url='{base}/ogcapi' typename='parcels'", "parcels", "OAPIF")
facts["oapif_valid"] = features.isValid()
facts["oapif_codes"] = sorted(f["cadastral_code"] for f in features.getFeatures())

tiles = QgsVectorTileLayer(
    f"type=xyz&url={base}/tiles/parcels/{{z}}/{{x}}/{{y}}.mvt&zmin=15&zmax=22", "parcel tiles"
)
facts["tiles_valid"] = tiles.isValid()
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
drawn = sum(
    1
    for x in range(0, 256, 4)
    for y in range(0, 256, 4)
    if image.pixelColor(x, y) != QColor(255, 255, 255)
)
facts["tile_pixels_drawn"] = drawn
print(json.dumps(facts))
