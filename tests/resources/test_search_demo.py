"""The bulk demo generator: published resources with realistic Chinese titles, in the browse tree, and
findable through the real index."""

from __future__ import annotations

import re

import pytest

from zhijiao.core import search as core_search
from zhijiao.demo import resource_centre, resources_bulk
from zhijiao.resources.models import Resource, ResourceStats, Status

pytestmark = pytest.mark.django_db


def test_bulk_resources_are_published_realistic_and_findable(tree):
    resource_centre.seed_resource_centre("medium")
    summary = resources_bulk.seed_resources(300, seed=1)
    assert summary["resources"] == summary["indexed"] == 300
    resources = list(Resource.objects.select_related("lesson", "subject"))
    assert len(resources) == 300 and all(r.status == Status.PUBLISHED and r.published_at for r in resources)
    assert all(re.search(r"[\u4e00-\u9fff]", r.title) and r.lesson_id for r in resources)
    assert not any("第1课时》" in r.title for r in resources)  # numbered lesson names are not used as topics
    assert ResourceStats.objects.count() == 300
    sample = resources[17]
    topic = sample.knowledge_points[0]
    found = core_search.search("resource", topic, per_page=100)
    assert str(sample.pk) in [h.object_id for h in found.hits] or found.total > 100
