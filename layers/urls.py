from django.urls import path

from layers import style, views

app_name = "layers"

urlpatterns = [
    path("tiles/style.json", style.style_json, name="style"),
    path("tiles/<slug:layer>/<int:z>/<int:x>/<int:y>.mvt", views.tile, name="tile"),
    path("tiles/<slug:layer>.json", views.tilejson, name="tilejson"),
]
