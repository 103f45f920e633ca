"""Pages of zhijiao.monitoring.detection."""

from django.urls import path

from zhijiao.monitoring.detection import views

app_name = "monitoring_detection"

urlpatterns = [
    path("", views.index, name="index"),
]
