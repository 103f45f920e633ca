"""The audit chain: entries link up, and an edited or deleted row is found by `zj audit verify`."""

import pytest
from django.core.management import call_command
from django.db import connection

from zhijiao.core import audit
from zhijiao.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _write(n=5):
    return [audit.record("logout", actor_name=f"user{i}", note=i) for i in range(n)]


def _raw(sql, params):
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(sql.format(table=table), params)


def test_intact_chain_verifies():
    _write()
    result = audit.verify()
    assert result.ok and result.checked == 5


def test_edited_row_is_reported_at_its_sequence():
    entries = _write()
    _raw("UPDATE {table} SET actor_name = %s WHERE seq = %s", ["mallory", entries[2].seq])
    result = audit.verify()
    assert not result.ok
    assert result.first_bad_seq == entries[2].seq and result.problem == "altered"


def test_deleted_middle_row_is_reported_missing():
    entries = _write()
    _raw("DELETE FROM {table} WHERE seq = %s", [entries[1].seq])
    result = audit.verify()
    assert (result.ok, result.first_bad_seq, result.problem) == (False, entries[1].seq, "missing")


def test_deleted_last_row_is_reported_missing():
    entries = _write()
    _raw("DELETE FROM {table} WHERE seq = %s", [entries[-1].seq])
    result = audit.verify()
    assert (result.ok, result.first_bad_seq, result.problem) == (False, entries[-1].seq, "missing")


def test_orm_refuses_to_change_entries():
    entry = _write(1)[0]
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="x")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()


def test_verify_command_exit_status(capsys):
    entries = _write(3)
    call_command("audit", "verify")
    assert "3" in capsys.readouterr().out
    _raw("UPDATE {table} SET success = %s WHERE seq = %s", [False, entries[0].seq])
    with pytest.raises(SystemExit) as exc:
        call_command("audit", "verify")
    assert exc.value.code == 1
    assert f"#{entries[0].seq}" in capsys.readouterr().err


def test_prune_keeps_the_rest_verifiable(settings):
    from datetime import timedelta

    from django.utils import timezone

    _write(4)
    later = timezone.now() + timedelta(days=settings.ZJ_AUDIT_RETENTION_DAYS + 1)
    assert audit.prune(now=later) == 4
    result = audit.verify()
    # Only the prune's own entry remains, chained to the anchor of what was removed.
    assert result.ok and result.checked == 1


def test_verify_command_names_a_missing_entry(capsys):
    entries = _write(4)
    call_command("audit", "verify")
    out = capsys.readouterr().out
    assert "4" in out and out.strip()
    _raw("DELETE FROM {table} WHERE seq = %s", [entries[2].seq])
    with pytest.raises(SystemExit) as exc:
        call_command("audit", "verify")
    assert exc.value.code == 1
    captured = capsys.readouterr()
    assert f"#{entries[2].seq}" in captured.err and captured.out == ""


def test_prune_command_removes_only_entries_past_retention(monkeypatch, settings, capsys):
    from datetime import timedelta

    from django.utils import timezone

    long_ago = timezone.now() - timedelta(days=settings.ZJ_AUDIT_RETENTION_DAYS + 1)
    monkeypatch.setattr("django.utils.timezone.now", lambda: long_ago)
    _write(3)
    monkeypatch.undo()
    recent = _write(2)

    call_command("audit", "prune")
    assert "3" in capsys.readouterr().out
    kept = list(AuditEntry.objects.order_by("seq").values_list("action", "seq"))
    assert kept[:2] == [("logout", recent[0].seq), ("logout", recent[1].seq)]
    assert kept[-1][0] == "audit.prune"
    call_command("audit", "verify")
    assert str(len(kept)) in capsys.readouterr().out


def test_prune_command_refuses_a_retention_below_180_days(monkeypatch, settings):
    from datetime import timedelta

    from django.core.management import CommandError
    from django.utils import timezone

    sixty_days_ago = timezone.now() - timedelta(days=60)
    monkeypatch.setattr("django.utils.timezone.now", lambda: sixty_days_ago)
    entry = _write(1)[0]
    monkeypatch.undo()
    settings.ZJ_AUDIT_RETENTION_DAYS = 30
    with pytest.raises(CommandError):
        call_command("audit", "prune")
    assert AuditEntry.objects.filter(seq=entry.seq).exists()


def test_rewinding_the_head_with_the_tail_is_detected():
    from zhijiao.core.models import AuditHead

    entries = _write(3)
    _raw("DELETE FROM {table} WHERE seq = %s", [entries[-1].seq])
    # Someone with database access also rewinds the head to the new last entry, without the key.
    AuditHead.objects.filter(pk=1).update(last_seq=entries[-2].seq, last_mac=entries[-2].mac)
    result = audit.verify()
    assert (result.ok, result.problem) == (False, "head")
