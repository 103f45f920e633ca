"""Pages of zhijiao.employment.matching."""

from django.urls import path  # noqa: F401

app_name = "employment_matching"

urlpatterns: list = []
