"""The map page as the browser tests drive it, in the words of the page's own script."""

from django.conf import settings

from parcels.models import Parcel


class MapPage:
    def __init__(self, page):
        self.page = page

    def open(self, path: str) -> "MapPage":
        self.page.goto(path)
        self.wait_until_idle()
        return self

    def wait_until_idle(self) -> None:
        self.page.wait_for_function(
            """() => {
                const map = window.gisportalMap;
                return map && document.getElementById('map').dataset.state === 'idle'
                    && map.loaded() && map.areTilesLoaded() && !map.isMoving();
            }"""
        )

    def rendered_parcels(self) -> list[dict]:
        return self.page.evaluate(
            """() => gisportalMap.queryRenderedFeatures({layers: ['parcels-fill']})
                .map(f => ({id: f.id, code: f.properties.cadastral_code}))"""
        )

    def click_centre(self) -> None:
        box = self.page.locator("#map canvas").bounding_box()
        self.page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)

    def selected(self, parcel_id: int) -> bool:
        return self.page.evaluate(
            """(id) => !!gisportalMap.getFeatureState(
                {source: 'parcels', sourceLayer: 'parcels', id: id}).selected""",
            parcel_id,
        )


def parcel_hash(parcel: Parcel, zoom: float = 18) -> str:
    """The map position (MapLibre's URL hash) that puts the inside of the parcel at the centre."""
    inside = parcel.geom.point_on_surface
    inside.srid = settings.SRID_STORAGE
    inside.transform(settings.SRID_API)
    return f"#{zoom}/{inside.y:.6f}/{inside.x:.6f}"
