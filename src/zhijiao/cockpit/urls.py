"""Data cockpit pages (/cockpit/)."""

from django.urls import path  # noqa: F401

app_name = "cockpit"

urlpatterns = []
