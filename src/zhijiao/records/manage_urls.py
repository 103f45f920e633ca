"""Administration pages of the learning record store (/manage/lrs/)."""

from django.urls import path

from zhijiao.records import views

app_name = "records-manage"

urlpatterns = [
    path("", views.credentials, name="credentials"),
    path("new/", views.credential_issue, name="credential-issue"),
    path("<int:pk>/revoke/", views.credential_revoke, name="credential-revoke"),
]
