"""Pages of zhijiao.employment.matching (mounted at /employment/find/)."""

from django.urls import path

from zhijiao.employment.matching import views

app_name = "employment_matching"

urlpatterns = [
    path("", views.search_page, name="search"),
    path("recommended/", views.recommended, name="recommended"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read/", views.inbox_read, name="inbox_read"),
    path("job/<int:job_id>/", views.job, name="job"),
    path("job/<int:job_id>/candidates/", views.candidates, name="candidates"),
    path("job/<int:job_id>/candidates/<int:user_id>/", views.candidate_resume, name="candidate_resume"),
]
