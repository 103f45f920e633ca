"""Administration pages of the learning record store (/manage/lrs/)."""

from django.urls import path  # noqa: F401

app_name = "records-manage"

urlpatterns = []
