"""Portal pages of the layers, under /{lang}/layers/: the list, a table, a card and a page."""

from django.urls import path

from layers import pages

app_name = "layer-pages"

urlpatterns = [
    path("", pages.layer_list, name="list"),
    path("<slug:name>/", pages.layer_table, name="table"),
    # Before <name>/<id>/: "card" is not a feature id, but the pattern would take it.
    path("<slug:name>/card/", pages.layer_card, name="card"),
    path("<slug:name>/<str:feature_id>/", pages.layer_feature_page, name="feature"),
]
