"""The demo generator makes believable, valid employment data."""

from __future__ import annotations

import random

import pytest

from zhijiao.employment import credit_code
from zhijiao.employment.demo import credit_code_for, seed_employment_core
from zhijiao.employment.models import Employer, EmployerState, GraduateRecord, Job, JobState, Resume

pytestmark = pytest.mark.django_db


def test_small_demo_on_a_tree(tree):
    summary = seed_employment_core("small", seed=1)
    assert summary.graduates == GraduateRecord.objects.count() == 120
    assert Job.objects.filter(state=JobState.PUBLISHED).count() + summary.held == 300
    held = Job.objects.filter(state=JobState.HELD)
    assert held.exists() and all(job.screening_flags for job in held)
    assert Employer.objects.filter(state=EmployerState.PENDING).exists()
    assert all(credit_code.is_valid(e.organisation.code) for e in Employer.objects.select_related("organisation"))
    assert Resume.objects.filter(user__username="demo_graduate").exclude(search_text="").exists()


def test_credit_codes_for_are_valid():
    rng = random.Random(3)
    assert all(credit_code.is_valid(credit_code_for(rng, "330106")) for _ in range(200))
