"""`zj run` (what `make run` calls) prepares an empty database and tells the person how to sign in."""

from io import StringIO

import pytest
from django.core.management import call_command

from zhijiao.identity.models import Organisation


@pytest.mark.django_db
def test_run_seeds_an_empty_database_and_prints_the_demo_accounts(monkeypatch):
    started = []
    monkeypatch.setattr("os.execv", lambda path, argv: started.append(argv))
    out = StringIO()
    call_command("run", bind="127.0.0.1:8123", stdout=out)
    text = out.getvalue()
    assert Organisation.objects.filter(code="330000").exists()
    assert "http://127.0.0.1:8123/accounts/login/" in text
    for username in ("demo_learner", "demo_sysadmin", "demo_secadmin", "demo_auditadmin"):
        assert username in text
    assert started and "zhijiao.wsgi:application" in started[0] and "127.0.0.1:8123" in started[0]
    # A second start does not seed again.
    before = Organisation.objects.count()
    call_command("run", bind="127.0.0.1:8123", stdout=StringIO())
    assert Organisation.objects.count() == before
