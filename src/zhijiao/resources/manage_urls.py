"""Administration pages of the resource centre: review, taxonomy, boards, screening (/manage/resources/)."""

from django.urls import path  # noqa: F401

app_name = "resources-manage"

urlpatterns = []
