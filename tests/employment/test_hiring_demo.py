"""The hiring demo step: every pipeline state, signed agreements, a fair, destinations and a notice."""

from __future__ import annotations

import pytest

from tests.employment.test_hiring_helpers import world_fixture  # noqa: F401
from zhijiao.employment.hiring import selectors
from zhijiao.employment.hiring.demo import seed_hiring
from zhijiao.employment.hiring.models import (
    Agreement,
    Application,
    ApplicationState,
    DestinationRecord,
    JobFair,
    Notice,
)
from zhijiao.employment.models import Job

pytestmark = pytest.mark.django_db


def test_seed_hiring_fills_every_state_on_top_of_core_demo_data(world):
    for n in range(8):
        world.graduate(f"grad_extra_{n}", f"毕业生{n}", world.econ, None, "经济学")
    summary = seed_hiring("small", seed=7)
    assert not summary.skipped
    states = set(Application.objects.values_list("state", flat=True))
    assert {ApplicationState.VIEWED, ApplicationState.INTERVIEW, ApplicationState.OFFER,
            ApplicationState.REJECTED, ApplicationState.WITHDRAWN} <= states
    agreement_states = set(Agreement.objects.values_list("state", flat=True))
    assert {"signed", "terminated", "accepted", "offered"} <= agreement_states
    assert all(selectors.verify(a.number, a.content_hash).ok for a in Agreement.objects.filter(state="signed"))
    assert JobFair.objects.count() == 1 and Notice.objects.count() == 1
    assert DestinationRecord.objects.filter(current=True).exists()
    assert "Hiring:" in summary.describe() or "招聘" in summary.describe()


def test_seed_hiring_skips_cleanly_without_jobs(db):
    Job.objects.all().delete()
    summary = seed_hiring("small", seed=7)
    assert summary.skipped and not Application.objects.exists()
