"""The cockpit pages, their CSV exports and the JSON API: scope, figures, audit."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.cockpit.conftest import ADL, VEXT, VIDEO, VIEWED, local, resource_iri, segments
from tests.conftest import signed_in
from zhijiao.cockpit import services
from zhijiao.core.models import AuditEntry
from zhijiao.records.models import Statement

DAY = "2026-03-02"
RANGE = {"start": "2026-03-01", "end": "2026-03-31"}


@pytest.fixture
def learning(tree, people, statements):
    """pupil_a (西湖区) watches 0-75 s of a video and completes a quiz; pupil_b (上城区) views two pages."""
    video = resource_iri(11)
    statements.add(people["pupil_a"], VIDEO + "played", video, local(DAY, 9), visitor="va", board="jichu",
                   name="=HYPERLINK(\"x\")")
    statements.add(people["pupil_a"], VIDEO + "paused", video, local(DAY, 9, 2), visitor="va",
                   result={"extensions": {VEXT + "played-segments": segments((0, 75))}},
                   extensions={VEXT + "length": 100})
    statements.add(people["pupil_a"], ADL + "completed", resource_iri(12), local(DAY, 9, 5), visitor="va",
                   result={"score": {"scaled": 0.9}})
    for minute in (0, 1, 2):
        statements.add(people["pupil_b"], VIEWED, resource_iri(13), local(DAY, 10, minute), visitor="vb")
    services.catch_up()
    return video


def test_a_county_viewer_cannot_see_another_countys_numbers(tree, people, learning):
    client = signed_in(people["county_a_admin"])
    own = client.get(reverse("cockpit:org", args=[tree.county_a.pk]), RANGE)
    assert own.status_code == 200
    assert own.context["summary"]["page_views"] == 0 and own.context["summary"]["video_hours"] == 0.0
    assert [c["name"] for c in own.context["children"]] == [tree.school_a.name]
    assert own.context["children"][0]["active_learners"] == 1
    for url in (reverse("cockpit:org", args=[tree.county_b.pk]), reverse("cockpit:org", args=[tree.school_b.pk]),
                reverse("cockpit:org", args=[tree.city.pk]),
                reverse("cockpit:export", args=[tree.county_b.pk, "daily"])):
        assert client.get(url, RANGE).status_code == 403
    api = client.get(f"/api/v1/cockpit/orgs/{tree.county_b.pk}/daily", RANGE)
    assert api.status_code == 403
    other = signed_in(people["county_b_admin"]).get(f"/api/v1/cockpit/orgs/{tree.county_b.pk}/daily", RANGE)
    assert other.json()["summary"]["page_views"] == 3


def test_national_page_and_drill_down(tree, people, learning):
    from tests.conftest import make_user
    from zhijiao.identity.models import Role

    operator = make_user("operator", role=Role.PLATFORM_OPERATOR, org=tree.nation)
    client = signed_in(operator)
    assert client.get(reverse("cockpit:index")).url == reverse("cockpit:org", args=[tree.nation.pk])
    page = client.get(reverse("cockpit:org", args=[tree.nation.pk]), RANGE)
    assert page.context["summary"]["page_views"] == 3
    assert page.context["summary"]["peak_views_day"].isoformat() == DAY
    assert page.context["summary"]["average_active_learners"] == round(2 / 31, 1)
    assert [c["name"] for c in page.context["children"]] == [tree.province.name]
    assert reverse("cockpit:org", args=[tree.province.pk]) in page.content.decode()
    counties = client.get(reverse("cockpit:org", args=[tree.city.pk]), RANGE).context["children"]
    assert {c["name"]: c["page_views"] for c in counties} == {tree.county_b.name: 3, tree.county_a.name: 0}


def test_pages_read_rollups_not_statements(tree, people, learning):
    client = signed_in(people["teacher_a"])
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("cockpit:org", args=[tree.class_a.pk]), RANGE).status_code == 200
    assert not [q for q in queries.captured_queries if Statement._meta.db_table in q["sql"]]


def test_teacher_sees_the_class_progress(tree, people, learning):
    client = signed_in(people["teacher_a"], mfa=False)
    page = client.get(reverse("cockpit:org", args=[tree.class_a.pk]), RANGE)
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-activity-id="{learning}"' in html
    assert 'data-played-seconds="75"' in html
    row = next(e for e in page.context["progress"] if e["activity_iri"] == learning)
    assert row["progress"] == 0.75 and row["learner"] == "pupil_a"
    assert client.get(reverse("cockpit:org", args=[tree.county_a.pk]), RANGE).status_code == 403


def test_my_learning_shows_seconds_played_completion_and_score(tree, people, learning):
    client = signed_in(people["pupil_a"], mfa=False)
    html = client.get(reverse("cockpit:my-learning")).content.decode()
    assert f'data-activity-id="{learning}"' in html and 'data-played-seconds="75"' in html
    entries = client.get("/api/v1/cockpit/me/learning").json()
    quiz = next(e for e in entries if e["activity_iri"] == resource_iri(12))
    assert quiz["completions"] == 1 and quiz["score_max"] == 0.9
    assert client.get(reverse("cockpit:index")).status_code == 403
    assert signed_in(people["pupil_b"], mfa=False).get("/api/v1/cockpit/me/learning").json()[0]["activity_iri"] \
        == resource_iri(13)


def test_csv_export_is_audited_and_spreadsheet_safe(tree, people, learning):
    client = signed_in(people["school_a_admin"])
    response = client.get(reverse("cockpit:export", args=[tree.school_a.pk, "resources"]), RANGE)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    body = response.content.decode("utf-8-sig")
    assert body.splitlines()[0] == "resource_id,name,views,learners,completions,rating"
    assert "'=HYPERLINK" in body
    entry = AuditEntry.objects.filter(action="cockpit.export").get()
    assert entry.actor == people["school_a_admin"] and entry.detail["figure"] == "resources"
    assert entry.detail["start"] == "2026-03-01"
    progress = client.get(reverse("cockpit:export", args=[tree.class_a.pk, "progress"]), RANGE)
    assert "pupil_a" in progress.content.decode("utf-8-sig")
    assert client.get(reverse("cockpit:export", args=[tree.county_a.pk, "progress"])).status_code == 404


def test_admins_need_two_step_verification_teachers_do_not(tree, people):
    admin = signed_in(people["school_a_admin"], mfa=False)
    assert admin.get(reverse("cockpit:org", args=[tree.school_a.pk])).status_code == 302
    assert signed_in(people["teacher_a"], mfa=False).get(reverse("cockpit:org", args=[tree.school_a.pk])).status_code == 200


def test_bad_dates_are_refused_by_the_api(tree, people):
    client = signed_in(people["school_a_admin"])
    response = client.get(f"/api/v1/cockpit/orgs/{tree.school_a.pk}/daily", {"start": "yesterday"})
    assert response.status_code == 422
    long_range = client.get(f"/api/v1/cockpit/orgs/{tree.school_a.pk}/daily", {"start": "2020-01-01", "end": "2026-01-01"})
    assert len(long_range.json()["days"]) == 366
