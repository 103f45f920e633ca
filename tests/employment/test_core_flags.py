"""The difficulty flag (困难毕业生) is for the staff who follow a graduate and never reaches an employer."""

from __future__ import annotations

import json

import pytest
from django.utils import translation

from tests.conftest import make_user, signed_in
from zhijiao.core.models import AuditEntry
from zhijiao.employment import services
from zhijiao.employment.models import DifficultyFlag, DifficultyKind, ResumeVisibility
from zhijiao.identity.models import Role

pytestmark = pytest.mark.django_db

NOTE = "低保家庭-标记7Q"


def _forbidden_words() -> set[str]:
    words = {NOTE, "difficult", "poor_family", "zero_employment", "disability"}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            words |= {str(label) for label in DifficultyKind.labels}
            words.add(translation.gettext("Difficulty flags (困难毕业生)"))
    return words


def test_staff_set_and_remove_flags_within_scope(tree, emp):
    record = emp.graduate.graduate_record
    client = signed_in(emp.counsellor)
    page = client.post(f"/employment/staff/graduates/{record.pk}/", {"kind": "poor_family", "note": NOTE}, follow=True)
    assert NOTE in page.content.decode()
    flag = DifficultyFlag.objects.get(record=record)
    assert AuditEntry.objects.filter(action="employment.flag_set", actor=emp.counsellor).exists()
    api = client.post(f"/api/v1/employment/graduates/{record.pk}/flags",
                      json.dumps({"kind": "disability"}), content_type="application/json")
    assert api.status_code == 201
    assert client.delete(f"/api/v1/employment/graduates/{record.pk}/flags/{flag.pk}").status_code == 204
    assert list(record.difficulty_flags.values_list("kind", flat=True)) == ["disability"]
    # Staff elsewhere see nothing.
    other = make_user("counsellor_far", role=Role.COUNSELLOR, org=tree.school_b)
    assert signed_in(other).get(f"/employment/staff/graduates/{record.pk}/").status_code == 404
    assert signed_in(other).get(f"/api/v1/employment/graduates/{record.pk}").status_code == 403


def test_the_flag_never_appears_in_any_employer_facing_page_or_api(emp):
    record = emp.graduate.graduate_record
    for kind in DifficultyKind.values:
        services.set_difficulty_flag(emp.counsellor, record, kind, NOTE)
    services.save_resume(emp.graduate, {"headline": "后端开发", "visibility": ResumeVisibility.EMPLOYERS})
    services.save_intention(emp.graduate, {"job_types": ["full_time"]})
    client = signed_in(emp.hr)
    job = emp.job.pk
    pages = ["/employment/", "/employment/employer/", f"/employment/job/{job}/", f"/employment/employer/jobs/{job}/edit/",
             "/employment/employer/jobs/new/", "/employment/supply/?year=", f"/employment/employer/resumes/{emp.graduate.pk}/",
             "/employment/guidance/", "/employment/guidance/occupations/", "/employment/guidance/cases/"]
    apis = ["/api/v1/employment/employers/mine", "/api/v1/employment/jobs/mine", f"/api/v1/employment/jobs/{job}",
            f"/api/v1/employment/resumes/{emp.graduate.pk}", "/api/v1/employment/supply"]
    forbidden = _forbidden_words()
    for url in pages + apis:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        if url.startswith("/api/"):
            body = json.dumps(response.json(), ensure_ascii=False)
        leaked = [w for w in forbidden if w.lower() in body.lower()]
        assert leaked == [], (url, leaked)
    # The résumé an employer reads names the graduate's school but not their origin or ID number.
    resume = client.get(f"/api/v1/employment/resumes/{emp.graduate.pk}").json()
    assert "origin" not in json.dumps(resume) and "330106200301011237" not in json.dumps(resume)
    # Staff routes are closed to the employer.
    assert client.get(f"/employment/staff/graduates/{record.pk}/").status_code == 403
    assert client.get(f"/api/v1/employment/graduates/{record.pk}").status_code == 403
    assert client.get("/api/v1/employment/graduates").status_code == 403
