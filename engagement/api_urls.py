"""The public REST API of comments: /api/v1/comments/."""

from django.urls import path

from engagement import api

app_name = "comments-api"

urlpatterns = [
    path("", api.CommentListView.as_view(), name="list"),
    path("<int:pk>/report/", api.CommentReportView.as_view(), name="report"),
]
