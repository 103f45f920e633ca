"""xAPI 1.0.3 endpoints under /xapi/ (statements, documents, activities, agents, about)."""

from django.urls import re_path

from zhijiao.records import xapi_views

app_name = "xapi"

# A trailing slash is optional: clients build these paths by appending to the endpoint they were given.
urlpatterns = [
    re_path(r"^statements/?$", xapi_views.statements, name="statements"),
    re_path(r"^activities/state/?$", xapi_views.state, name="state"),
    re_path(r"^activities/profile/?$", xapi_views.activity_profile, name="activity-profile"),
    re_path(r"^activities/?$", xapi_views.activities, name="activities"),
    re_path(r"^agents/profile/?$", xapi_views.agent_profile, name="agent-profile"),
    re_path(r"^agents/?$", xapi_views.agents, name="agents"),
    re_path(r"^about/?$", xapi_views.about, name="about"),
]
