"""The audit log page and its CSV export: only the audit administrator reads them, filters narrow the
list, pages move by sequence number, and every export is itself recorded before a row is sent."""

import csv
import html
import io
import re
from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.conftest import signed_in
from zhijiao.core import audit, selectors
from zhijiao.core.models import AuditEntry

pytestmark = pytest.mark.django_db

AUDIT_URL = reverse("manage:audit")
EXPORT_URL = reverse("manage:audit-export")


def in_site_language(text) -> str:
    """A translatable string as a visitor without a language preference sees it (the default, zh-hans)."""
    with translation.override("zh-hans"):
        return str(text)


def shown_seqs(response) -> list[int]:
    return [int(s) for s in re.findall(r'<tr data-seq="(\d+)"', response.content.decode())]


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff"), "Excel needs the BOM to read Chinese as UTF-8"
    return list(csv.reader(io.StringIO(body[1:])))


@pytest.fixture
def auditor(people):
    return signed_in(people["auditor"])


@pytest.mark.parametrize("url", [AUDIT_URL, EXPORT_URL])
@pytest.mark.parametrize("who", ["sysadmin", "secadmin", "county_a_admin", "pupil_a"])
def test_everyone_but_the_audit_admin_is_refused(people, url, who):
    response = signed_in(people[who]).get(url)
    assert response.status_code == 403
    assert not AuditEntry.objects.filter(action="audit.export").exists()
    denied = AuditEntry.objects.filter(action="access.denied").first()
    assert denied.actor == people[who] and denied.detail["path"] == url


@pytest.mark.parametrize("url", [AUDIT_URL, EXPORT_URL])
def test_anonymous_visitor_is_sent_to_sign_in(db, url):
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("identity:login"))


def test_audit_admin_sees_entries_newest_first(people, auditor):
    audit.record("logout", actor=people["pupil_a"])
    response = auditor.get(AUDIT_URL)
    assert response.status_code == 200
    seqs = shown_seqs(response)
    assert seqs and seqs == sorted(seqs, reverse=True)
    assert seqs[0] == AuditEntry.objects.order_by("-seq").first().seq


def test_action_filter_offers_the_labels_and_shows_only_that_action(people, auditor):
    for _i in range(3):
        audit.record("logout", actor=people["pupil_a"])
    audit.record("login.failure", actor_name="pupil_a", success=False, reason="password")
    page = auditor.get(AUDIT_URL)
    label = in_site_language(audit.ACTIONS["login.failure"])
    assert f'<option value="login.failure">{label}</option>' in page.content.decode()

    response = auditor.get(AUDIT_URL, {"action": "logout"})
    seqs = shown_seqs(response)
    assert len(seqs) == 3
    assert set(AuditEntry.objects.filter(seq__in=seqs).values_list("action", flat=True)) == {"logout"}


def test_actor_result_and_target_filters(people, auditor):
    pupil = people["pupil_a"]
    audit.record("login.failure", actor=pupil, success=False, reason="password")
    audit.record("login.success", actor=pupil)
    audit.record("login.failure", actor_name="nobody-such", success=False, reason="password")
    audit.record("user.update", actor=people["sysadmin"], target=pupil)

    failures = shown_seqs(auditor.get(AUDIT_URL, {"actor": "PUPIL_A", "result": "failure"}))
    assert [AuditEntry.objects.get(seq=s).actor for s in failures] == [pupil]
    # A name without an account (a mistyped login) is found as it was recorded.
    assert len(shown_seqs(auditor.get(AUDIT_URL, {"actor": "nobody-such"}))) == 1
    on_pupil = shown_seqs(auditor.get(AUDIT_URL, {"target_type": "identity.user", "target_id": str(pupil.pk)}))
    # The pupil's role grant (from the fixture) and the update; nothing about anyone else.
    assert {AuditEntry.objects.get(seq=s).action for s in on_pupil} == {"role.grant", "user.update"}
    assert {AuditEntry.objects.get(seq=s).target_id for s in on_pupil} == {str(pupil.pk)}


def test_organisation_filter_covers_the_subtree_only(tree, people, auditor):
    in_school = audit.record("org.update", actor=people["sysadmin"], organisation=tree.school_a)
    in_county = audit.record("org.update", actor=people["sysadmin"], organisation=tree.county_a)
    elsewhere = audit.record("org.update", actor=people["sysadmin"], organisation=tree.school_b)
    seqs = shown_seqs(auditor.get(AUDIT_URL, {"action": "org.update", "organisation": tree.county_a.code}))
    assert seqs == [in_county.seq, in_school.seq]
    assert elsewhere.seq not in seqs
    assert shown_seqs(auditor.get(AUDIT_URL, {"action": "org.update", "organisation": f"#{tree.school_b.pk}"})) == [
        elsewhere.seq
    ]


def test_unknown_organisation_and_reversed_dates_are_explained(auditor):
    response = auditor.get(AUDIT_URL, {"organisation": "999999", "date_from": "2026-03-02", "date_to": "2026-03-01"})
    assert response.status_code == 200
    assert shown_seqs(response) == []
    errors = response.context["form"].errors
    assert set(errors) == {"organisation", "date_to"}
    assert errors["date_to"][0] in response.content.decode()


def _record_at(monkeypatch, moment: datetime, action: str = "logout", **kwargs):
    monkeypatch.setattr("django.utils.timezone.now", lambda: moment)
    entry = audit.record(action, **kwargs)
    monkeypatch.undo()
    return entry


def test_times_are_local_and_date_range_uses_local_days(monkeypatch, people, auditor):
    # 17:30 UTC on 1 March is 01:30 on 2 March in Beijing.
    late = _record_at(monkeypatch, datetime(2026, 3, 1, 17, 30, tzinfo=UTC), actor_name="night")
    _record_at(monkeypatch, datetime(2026, 3, 1, 15, 0, tzinfo=UTC), actor_name="evening")
    response = auditor.get(AUDIT_URL, {"date_from": "2026-03-02", "date_to": "2026-03-02"})
    assert shown_seqs(response) == [late.seq]
    assert "2026-03-02 01:30:00" in response.content.decode()


def test_date_range_at_the_ends_of_the_calendar_excludes_nothing(people, auditor):
    newest = audit.record("logout", actor=people["pupil_a"])
    response = auditor.get(AUDIT_URL, {"date_from": "0001-01-01", "date_to": "9999-12-31"})
    assert response.status_code == 200
    assert shown_seqs(response)[0] == newest.seq


def test_detail_is_shown_compactly(people, auditor):
    audit.record("org.update", actor=people["sysadmin"], before={"name": "旧名"}, reason="更名")
    response = auditor.get(AUDIT_URL, {"action": "org.update"})
    assert 'before: {"name": "旧名"}; reason: 更名' in html.unescape(response.content.decode())


def test_older_and_newer_pages_follow_the_sequence_without_overlap(people, auditor):
    for i in range(2 * selectors.AUDIT_PAGE_SIZE + 10):
        audit.record("logout", actor_name=f"user{i}")
    first = auditor.get(AUDIT_URL, {"action": "logout"})
    first_seqs = shown_seqs(first)
    assert len(first_seqs) == selectors.AUDIT_PAGE_SIZE
    older_link = re.search(r'href="(\?[^"]*before=(\d+)[^"]*)" rel="next"', first.content.decode())
    assert older_link and "action=logout" in older_link.group(1)

    second = auditor.get(AUDIT_URL + older_link.group(1).replace("&amp;", "&"))
    second_seqs = shown_seqs(second)
    assert len(second_seqs) == selectors.AUDIT_PAGE_SIZE
    assert not set(first_seqs) & set(second_seqs)
    assert second_seqs[0] == first_seqs[-1] - 1, "the older page starts right where the first ended"

    third = auditor.get(AUDIT_URL, {"action": "logout", "before": second_seqs[-1]})
    assert len(shown_seqs(third)) == 10
    assert third.context["page"].older is None

    back = auditor.get(AUDIT_URL, {"action": "logout", "after": second.context["page"].newer})
    assert shown_seqs(back) == first_seqs


def test_export_is_recorded_before_streaming_and_holds_the_filtered_rows(people, auditor):
    logouts = [audit.record("logout", actor=people["pupil_a"]) for _i in range(3)]
    audit.record("login.failure", actor_name="x", success=False)

    response = auditor.get(EXPORT_URL, {"action": "logout", "result": "success"})
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-log-')
    # The entry exists before a single row was read from the response.
    export = AuditEntry.objects.get(action="audit.export")
    assert export.actor == people["auditor"]
    assert export.detail["rows"] == 3
    assert export.detail["filter"] == {"action": "logout", "success": True}

    header, *rows = csv_rows(response)
    with translation.override("zh-hans"):
        from django.utils.translation import gettext as _

        assert header[0] == _("Sequence") and header[3] == _("Action") and header[-1] == _("Detail")
        assert rows[0][3] == str(audit.ACTIONS["logout"])
    assert [int(r[0]) for r in rows] == [e.seq for e in reversed(logouts)]
    assert {r[4] for r in rows} == {"logout"} and rows[0][2] == "pupil_a"


def test_unfiltered_export_stops_at_the_entries_that_existed_when_it_began(people, auditor):
    response = auditor.get(EXPORT_URL)
    export = AuditEntry.objects.get(action="audit.export")
    audit.record("logout", actor_name="later")
    rows = csv_rows(response)[1:]
    assert len(rows) == export.detail["rows"] == export.seq - 1
    assert export.seq not in {int(r[0]) for r in rows}


def test_export_defuses_spreadsheet_formulas(auditor):
    audit.record("login.failure", actor_name='=HYPERLINK("http://evil.example","x")', success=False,
                 note="+cmd")
    audit.record("login.failure", actor_name="@SUM(A1)", success=False)
    audit.record("login.failure", actor_name="-2+3", success=False)
    rows = csv_rows(auditor.get(EXPORT_URL, {"action": "login.failure"}))[1:]
    names = [r[2] for r in rows]
    assert names == ["'-2+3", "'@SUM(A1)", '\'=HYPERLINK("http://evil.example","x")']
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_export_with_a_bad_filter_goes_back_to_the_page(auditor):
    response = auditor.get(EXPORT_URL, {"date_from": "2026-03-02", "date_to": "2026-03-01"})
    assert response.status_code == 302 and response["Location"].startswith(AUDIT_URL)
    assert not AuditEntry.objects.filter(action="audit.export").exists()


def test_export_link_carries_the_current_filter(auditor):
    response = auditor.get(AUDIT_URL, {"action": "logout", "before": "999"})
    link = re.search(r'href="([^"]*)" data-testid="audit-export"', response.content.decode()).group(1)
    assert link.replace("&amp;", "&") == f"{EXPORT_URL}?action=logout"
