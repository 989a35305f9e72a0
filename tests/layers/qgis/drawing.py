"""What the QGIS scripts share: drawing a layer around a point as QGIS renders a map."""

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsMapRendererSequentialJob,
    QgsMapSettings,
    QgsPointXY,
    QgsProject,
    QgsRectangle,
)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor

WHITE = QColor(255, 255, 255)


def pixels_drawn(layer, lon: float, lat: float, half_width_m: float = 150) -> int:
    """How many of a sample of pixels are not background in a 256-pixel Web Mercator image of
    the layer centred on the point."""
    mercator = QgsCoordinateReferenceSystem("EPSG:3857")
    to_mercator = QgsCoordinateTransform(
        QgsCoordinateReferenceSystem("EPSG:4326"), mercator, QgsProject.instance()
    )
    centre = to_mercator.transform(QgsPointXY(lon, lat))
    settings = QgsMapSettings()
    settings.setLayers([layer])
    settings.setDestinationCrs(mercator)
    settings.setOutputSize(QSize(256, 256))
    settings.setBackgroundColor(WHITE)
    settings.setExtent(
        QgsRectangle(
            centre.x() - half_width_m,
            centre.y() - half_width_m,
            centre.x() + half_width_m,
            centre.y() + half_width_m,
        )
    )
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    image = job.renderedImage()
    return sum(
        1 for x in range(0, 256, 4) for y in range(0, 256, 4) if image.pixelColor(x, y) != WHITE
    )
