from django.urls import path

from layers import style, views

app_name = "layers"

urlpatterns = [
    path("tiles/style.json", style.style_json, name="style"),
    path("tiles/basemap.json", style.basemap_style_json, name="basemap-style"),
    # Before the layers' own tiles: no layer is called "all" (layers/registry.py).
    path("tiles/all/<int:z>/<int:x>/<int:y>.mvt", views.basemap_tile, name="basemap-tile"),
    path("tiles/<slug:layer>/<int:z>/<int:x>/<int:y>.mvt", views.tile, name="tile"),
    path("tiles/<slug:layer>.json", views.tilejson, name="tilejson"),
]
