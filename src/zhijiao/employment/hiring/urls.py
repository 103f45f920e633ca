"""Pages of zhijiao.employment.hiring."""

from django.urls import path  # noqa: F401

app_name = "employment_hiring"

urlpatterns: list = []
