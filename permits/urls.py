"""Portal pages of building permits: the public pre-check, applying, and the planner's review."""

from django.urls import path

from permits import application_views, views

app_name = "permits"

urlpatterns = [
    path("check/", views.precheck_page, name="check"),
    path("apply/", application_views.apply_start, name="apply"),
    path("apply/<str:reference>/done/", application_views.apply_done, name="apply-done"),
    path("apply/<str:reference>/<int:step>/", application_views.apply_step, name="apply-step"),
    path("review/<str:reference>/", application_views.review, name="review"),
    path("boundary/<int:pk>/", application_views.boundary_answer, name="boundary"),
    path("register/<str:reference>/", application_views.register_entry, name="register-entry"),
]
