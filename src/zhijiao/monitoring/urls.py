"""Pages of zhijiao.monitoring (/monitoring/)."""

from django.urls import path

from zhijiao.monitoring import views

app_name = "monitoring"

urlpatterns = [
    path("", views.index, name="index"),
    path("cases/<int:case_id>/", views.case_page, name="case"),
    path("cases/<int:case_id>/confirm/", views.confirm, name="confirm"),
    path("cases/<int:case_id>/dismiss/", views.dismiss, name="dismiss"),
    path("cases/<int:case_id>/appeal/resolve/", views.resolve_appeal, name="resolve-appeal"),
    path("cases/<int:case_id>/appeal/file/", views.appeal_file, name="appeal-file"),
    path("integrity/", views.integrity, name="integrity"),
    path("integrity/<int:case_id>/appeal/", views.appeal, name="appeal"),
    path("notices/", views.notices, name="notices"),
    path("notices/<int:notice_id>/read/", views.notice_read, name="notice-read"),
    path("report/", views.report, name="report"),
    path("report.pdf", views.report_pdf, name="report-pdf"),
    path("platforms/", views.platform_lists, name="platforms"),
    path("registry/", views.registry, name="registry"),
    path("registry/<int:platform_id>/", views.registry_platform, name="registry-platform"),
    path("registry/<int:platform_id>/filings/", views.file_filing, name="file-filing"),
    path("registry/<int:platform_id>/filings/<int:filing_id>/review/", views.review_filing, name="review-filing"),
    path("registry/<int:platform_id>/documents/<int:document_id>/", views.filing_document, name="filing-document"),
    path("registry/<int:platform_id>/lists/", views.add_entry, name="add-entry"),
    path("registry/<int:platform_id>/lists/<int:entry_id>/end/", views.end_entry, name="end-entry"),
    path("credit-courses/", views.credit_courses, name="credit-courses"),
]
