"""Pages of engagement under /{lang}/: comments, moderation, notifications and follows."""

from django.urls import path

from engagement import views

app_name = "engagement"

urlpatterns = [
    path("comments/", views.thread, name="thread"),
    path("comments/moderation/", views.moderation, name="moderation"),
    path("comments/<int:pk>/report/", views.comment_report, name="report"),
    path("comments/<int:pk>/moderate/", views.comment_moderate, name="moderate"),
    path("notifications/", views.inbox, name="inbox"),
    path("notifications/read/", views.inbox_read, name="read-all"),
    path("notifications/preferences/", views.preferences, name="preferences"),
    path("notifications/<int:pk>/", views.notification_open, name="open"),
    path("notifications/<int:pk>/read/", views.notification_read, name="read"),
    path("follows/", views.follows, name="follows"),
    path("follows/feature/", views.follow_feature, name="follow-feature"),
    path("follows/object/", views.follow_object, name="follow-object"),
    path("follows/<int:pk>/delete/", views.follow_delete, name="unfollow"),
]
