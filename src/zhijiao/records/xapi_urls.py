"""xAPI 1.0.3 endpoints under /xapi/ (statements, documents, activities, agents, about)."""

from django.urls import path  # noqa: F401

app_name = "xapi"

urlpatterns = []
