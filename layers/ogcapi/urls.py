"""OGC API Features and Tiles over the layer registry, mounted at /ogcapi/."""

from django.urls import path

from layers.ogcapi import views

app_name = "ogcapi"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("conformance", views.conformance, name="conformance"),
    path("api", views.api, name="api"),
    path("api.html", views.api_html, name="api-html"),
    path("collections", views.collections, name="collections"),
    path("collections/<str:collection_id>", views.collection, name="collection"),
    path("collections/<str:collection_id>/items", views.items, name="items"),
    path("collections/<str:collection_id>/items/<str:feature_id>", views.item, name="item"),
    path("collections/<str:collection_id>/queryables", views.queryables_view, name="queryables"),
    path("collections/<str:collection_id>/tiles", views.tilesets, name="tilesets"),
    path("collections/<str:collection_id>/tiles/<str:tms_id>", views.tileset, name="tileset"),
    path(
        "collections/<str:collection_id>/tiles/<str:tms_id>/<int:z>/<int:y>/<int:x>",
        views.tile,
        name="tile",
    ),
    path("tileMatrixSets", views.tile_matrix_sets, name="tile-matrix-sets"),
    path("tileMatrixSets/<str:tms_id>", views.tile_matrix_set, name="tile-matrix-set"),
]
