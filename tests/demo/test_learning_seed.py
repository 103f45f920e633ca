"""`zj seed` with learning activity: records for the demo's pupils, the demo learner's class among the busiest."""

from __future__ import annotations

from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command

from zhijiao.identity.models import Membership, Role, User
from zhijiao.records.models import Statement


@pytest.mark.django_db
def test_seed_writes_learning_records_for_the_pupils_and_the_demo_class_is_busy():
    out = StringIO()
    call_command("seed", statements=6000, stdout=out)
    assert "Learning records" in out.getvalue() or "学习记录" in out.getvalue()

    per_user = Counter(Statement.objects.values_list("user_id", flat=True))
    assert 5400 <= sum(per_user.values()) <= 6600
    learners = set(Membership.objects.filter(role=Role.LEARNER).values_list("user_id", flat=True))
    assert set(per_user) <= learners  # every record is about a pupil of the tree

    demo = User.objects.get(username="demo_learner")
    klass = Membership.objects.get(user=demo, role=Role.LEARNER).organisation
    classmates = set(Membership.objects.filter(organisation=klass, role=Role.LEARNER).values_list("user_id", flat=True))
    in_class = sum(per_user[u] for u in classmates) / len(classmates)
    elsewhere = sum(n for u, n in per_user.items() if u not in classmates) / (len(learners) - len(classmates))
    assert per_user[demo.pk] > 0
    assert in_class > 5 * elsewhere


@pytest.mark.django_db
def test_seed_without_learning_records():
    call_command("seed", statements=0, stdout=StringIO())
    assert not Statement.objects.exists()
