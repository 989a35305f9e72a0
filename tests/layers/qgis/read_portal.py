"""Run by Debian's python3 with python3-qgis: read the portal as QGIS would, print JSON facts.

Usage: python3 read_portal.py BASE_URL LON LAT
"""

import json
import sys

from drawing import pixels_drawn
from qgis.core import QgsApplication, QgsVectorLayer, QgsVectorTileLayer

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
facts["tile_pixels_drawn"] = pixels_drawn(tiles, lon, lat)
print(json.dumps(facts))
