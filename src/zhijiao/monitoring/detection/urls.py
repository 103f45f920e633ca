"""Pages of zhijiao.monitoring.detection."""

from django.urls import path  # noqa: F401

app_name = "monitoring_detection"

urlpatterns: list = []
