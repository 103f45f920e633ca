"""Pages of zhijiao.employment.hiring (/employment/hiring/)."""

from django.urls import path

from zhijiao.employment.hiring import views

app_name = "employment_hiring"

urlpatterns = [
    path("", views.index, name="index"),
    path("apply/<int:job_id>/", views.apply, name="apply"),
    path("applications/", views.my_applications, name="my-applications"),
    path("applications/<int:application_id>/", views.application, name="application"),
    path("applications/<int:application_id>/withdraw/", views.withdraw, name="withdraw"),
    path("applications/<int:application_id>/move/", views.move, name="move"),
    path("applications/<int:application_id>/message/", views.message, name="message"),
    path("applications/<int:application_id>/interview/", views.interview, name="interview"),
    path("applications/<int:application_id>/offer/", views.offer, name="offer"),
    path("interviews/<int:interview_id>/answer/", views.answer_interview, name="answer-interview"),
    path("employer/", views.pipeline, name="pipeline"),
    path("agreements/<int:agreement_id>/", views.agreement, name="agreement"),
    path("agreements/<int:agreement_id>/agreement.pdf", views.agreement_download, name="agreement-pdf"),
    path("agreements/<int:agreement_id>/<slug:action>/", views.agreement_action, name="agreement-action"),
    path("terminations/<int:termination_id>/<slug:decision>/", views.termination_decision,
         name="termination-decision"),
    path("approvals/", views.approvals, name="approvals"),
    path("verify/", views.verify, name="verify"),
    path("fairs/", views.fairs, name="fairs"),
    path("fairs/new/", views.fair_new, name="fair-new"),
    path("fairs/<int:fair_id>/", views.fair, name="fair"),
    path("fairs/<int:fair_id>/register/", views.fair_register, name="fair-register"),
    path("fairs/<int:fair_id>/join/", views.fair_join, name="fair-join"),
    path("fairs/<int:fair_id>/invite/", views.fair_invite, name="fair-invite"),
    path("fairs/<int:fair_id>/participants/<int:entry_id>/<slug:decision>/", views.fair_decide, name="fair-decide"),
    path("progress/", views.progress_index, name="progress-index"),
    path("progress/<int:org_id>/", views.progress, name="progress"),
    path("progress/<int:org_id>/export/<slug:figure>.csv", views.progress_export, name="progress-export"),
    path("graduates/<int:record_id>/", views.graduate, name="graduate"),
    path("notices/", views.notices, name="notices"),
    path("notices/new/", views.notice_new, name="notice-new"),
    path("notices/<int:notice_id>/", views.notice, name="notice"),
]
