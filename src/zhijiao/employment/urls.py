"""Pages of zhijiao.employment (/employment/)."""

from django.urls import path

from zhijiao.employment import views

app_name = "employment"

urlpatterns = [
    path("", views.index, name="index"),
    path("me/intention/", views.intention, name="intention"),
    path("me/resume/", views.resume, name="resume"),
    path("me/resume/preview/", views.resume_preview, name="resume-preview"),
    path("me/resume/pdf/", views.resume_pdf, name="resume-pdf"),
    path("employer/", views.employer, name="employer"),
    path("employer/register/", views.employer_register, name="employer-register"),
    path("employer/jobs/new/", views.job_edit, name="job-create"),
    path("employer/jobs/<int:job_id>/edit/", views.job_edit, name="job-edit"),
    path("employer/jobs/<int:job_id>/publish/", views.job_publish, name="job-publish"),
    path("employer/jobs/<int:job_id>/close/", views.job_close, name="job-close"),
    path("employer/resumes/<int:user_id>/", views.resume_for_employer, name="employer-resume"),
    path("job/<int:job_id>/", views.job_detail, name="job"),
    path("supply/", views.supply, name="supply"),
    path("staff/employers/", views.staff_employers, name="staff-employers"),
    path("staff/employers/<int:employer_id>/", views.staff_employer, name="staff-employer"),
    path("staff/jobs/", views.staff_jobs, name="staff-jobs"),
    path("staff/jobs/<int:job_id>/", views.staff_job, name="staff-job"),
    path("staff/graduates/", views.staff_graduates, name="staff-graduates"),
    path("staff/graduates/<int:record_id>/", views.staff_graduate, name="staff-graduate"),
    path("staff/flags/<int:flag_id>/remove/", views.staff_flag_remove, name="staff-flag-remove"),
    path("staff/roster/", views.staff_roster, name="staff-roster"),
    path("staff/roster/template.csv", views.roster_template, name="roster-template"),
    path("staff/cases/", views.staff_cases, name="staff-cases"),
    path("staff/cases/<int:case_id>/review/", views.staff_case_review, name="staff-case-review"),
    path("staff/courses/", views.staff_course, name="staff-course"),
    path("guidance/", views.guidance_index, name="guidance"),
    path("guidance/assessment/", views.assessment, name="assessment"),
    path("guidance/occupations/", views.occupations, name="occupations"),
    path("guidance/occupations/<str:code>/", views.occupation, name="occupation"),
    path("guidance/cases/", views.cases, name="cases"),
    path("guidance/cases/<int:case_id>/", views.case, name="case"),
]
