"""Portal pages of the cadastre, under /{lang}/parcels/."""

from django.urls import path

from parcels import views

app_name = "parcels"

urlpatterns = [
    path("", views.parcel_search_page, name="search"),
    # Before <code>/: "card" is not a cadastral code, but the pattern would take it.
    path("card/", views.parcel_card, name="card"),
    path("<str:code>/", views.parcel_page, name="page"),
]
