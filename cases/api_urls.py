"""The REST API of cases."""

from django.urls import path

from cases import api

urlpatterns = [
    path("", api.case_list, name="cases-api-list"),
    path("<str:reference>/", api.case_detail, name="cases-api-detail"),
]
