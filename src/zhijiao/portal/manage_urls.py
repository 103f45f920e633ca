"""Administration pages (/manage/). Each page is owned by the app whose data it shows."""

from django.urls import path

from zhijiao.core import manage_views as core_views
from zhijiao.core import screening_views
from zhijiao.identity import client_views, roster_views
from zhijiao.identity import manage_views as identity_views

app_name = "manage"

urlpatterns = [
    path("", identity_views.index, name="index"),
    path("orgs/", identity_views.orgs, name="orgs"),
    path("orgs/<int:org_id>/", identity_views.org_detail, name="org"),
    path("orgs/<int:org_id>/move/", identity_views.org_move, name="org-move"),
    path("users/", identity_views.users, name="users"),
    path("users/<int:user_id>/", identity_views.user_detail, name="user"),
    path("memberships/<int:membership_id>/revoke/", identity_views.revoke, name="revoke"),
    path("security/", identity_views.security, name="security"),
    path("security/<int:user_id>/unlock/", identity_views.unlock, name="unlock"),
    path("security/<int:user_id>/reset-mfa/", identity_views.reset_mfa, name="reset-mfa"),
    path("roster/", roster_views.roster, name="roster"),
    path("roster/template.csv", roster_views.roster_template, name="roster-template"),
    path("roster/<int:import_id>/", roster_views.roster_result, name="roster-result"),
    path("roster/<int:import_id>/errors.csv", roster_views.roster_errors, name="roster-errors"),
    path("roster/<int:import_id>/slip.csv", roster_views.roster_slip, name="roster-slip"),
    path("clients/", client_views.clients, name="clients"),
    path("clients/new/", client_views.client_create, name="client-create"),
    path("clients/<int:pk>/", client_views.client_edit, name="client"),
    path("clients/<int:pk>/secret/", client_views.client_secret, name="client-secret"),
    path("clients/<int:pk>/delete/", client_views.client_delete, name="client-delete"),
    path("outbox/", core_views.outbox, name="outbox"),
    path("audit/", core_views.audit_log, name="audit"),
    path("audit/export.csv", core_views.audit_export, name="audit-export"),
    path("screening/", screening_views.dictionary, name="screening"),
    path("screening/<int:word_id>/", screening_views.word, name="screening-word"),
]
