"""Run by Debian's python3 with python3-qgis: read parcels through OGC API Features with a
subset string, as a QGIS user who sets a layer filter would, and print JSON facts.

Usage: python3 read_subset.py BASE_URL SUBSET
"""

import json
import sys

from qgis.core import QgsApplication, QgsVectorLayer

base, subset = sys.argv[1], sys.argv[2]
app = QgsApplication([], False)
app.initQgis()
layer = QgsVectorLayer(f"url='{base}/ogcapi' typename='parcels'", "parcels", "OAPIF")
facts = {"valid": layer.isValid(), "subset_accepted": layer.setSubsetString(subset)}
facts["codes"] = sorted(f["cadastral_code"] for f in layer.getFeatures())
print(json.dumps(facts))
