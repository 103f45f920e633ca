"""Data cockpit pages (/cockpit/)."""

from django.urls import path

from zhijiao.cockpit import views

app_name = "cockpit"

urlpatterns = [
    path("", views.index, name="index"),
    path("org/<int:org_id>/", views.dashboard, name="org"),
    path("org/<int:org_id>/export/<slug:figure>.csv", views.export, name="export"),
    path("my-learning/", views.my_learning, name="my-learning"),
]
