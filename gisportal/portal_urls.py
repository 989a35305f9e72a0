"""The HTML portal under /ka/ and /en/."""

from django.urls import path

from gisportal import views

app_name = "portal"

urlpatterns = [
    path("", views.map_page, name="map"),
    path("parcels/", views.parcel_search_page, name="parcel-search"),
    # Before parcels/<code>/: "card" is not a cadastral code, but the pattern would take it.
    path("parcels/card/", views.parcel_card, name="parcel-card"),
    path("parcels/<str:code>/", views.parcel_page, name="parcel"),
    path("layers/", views.layer_list, name="layers"),
    path("layers/<slug:name>/", views.layer_table, name="layer-table"),
    # Before layers/<name>/<id>/, for the same reason.
    path("layers/<slug:name>/card/", views.layer_card, name="layer-card"),
    path("layers/<slug:name>/<str:feature_id>/", views.layer_feature_page, name="layer-feature"),
]
