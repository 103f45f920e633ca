"""`zj seed` is deterministic for a seed, and refuses to mix demo data into a real tree."""

import hashlib
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from zhijiao.identity import services
from zhijiao.identity.models import Organisation, OrgKind, User


def seed_and_digest(seed: int) -> str:
    """Seed the small scale, fingerprint every name, code and username, and roll back."""
    with transaction.atomic():
        call_command("seed", seed=seed, statements=0, stdout=StringIO())  # learning is tested on its own
        digest = hashlib.sha256()
        for row in User.objects.order_by("username").values_list("username", "real_name", "birth_date"):
            digest.update(repr(row).encode())
        for row in Organisation.objects.order_by("kind", "code", "name").values_list("kind", "code", "name"):
            digest.update(repr(row).encode())
        transaction.set_rollback(True)
    return digest.hexdigest()


def test_the_same_seed_gives_the_same_people_and_schools(db):
    first, again, other = seed_and_digest(2026), seed_and_digest(2026), seed_and_digest(7)
    assert first == again
    assert other != first


def test_seed_refuses_a_database_with_a_real_tree(db):
    services.create_organisation(None, name="中华人民共和国", kind=OrgKind.NATION, parent=None)
    with pytest.raises(CommandError, match="数据库中已有机构"):
        call_command("seed", statements=0, stdout=StringIO())
    assert not User.objects.filter(username="demo_learner").exists()
