"""Portal pages of the one window: my applications, the staff work queue, verification."""

from django.urls import path

from cases import views

app_name = "cases"

urlpatterns = [
    path("mine/", views.my_cases, name="mine"),
    path("queue/", views.queue, name="queue"),
    path("verify/", views.verify, name="verify"),
    path("verify/<str:code>/", views.verify_code, name="verify-code"),
    path("<str:reference>/", views.case_detail, name="detail"),
    path("<str:reference>/submit/", views.case_submit, name="submit"),
    path("<str:reference>/withdraw/", views.case_withdraw, name="withdraw"),
    path("<str:reference>/messages/", views.message_post, name="message"),
    path("<str:reference>/documents/", views.document_add, name="document-add"),
    path("<str:reference>/documents/<int:pk>/", views.document_download, name="document"),
    path("<str:reference>/decision.pdf", views.decision_pdf, name="decision-pdf"),
    path("<str:reference>/requests/<int:pk>/answer/", views.request_answer, name="answer"),
    path("<str:reference>/assign/", views.case_assign, name="assign"),
    path("<str:reference>/transition/", views.case_transition, name="transition"),
    path("<str:reference>/request/", views.information_request_open, name="request"),
    path("<str:reference>/decide/", views.decision_issue, name="decide"),
]
