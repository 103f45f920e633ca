"""The national page's "most used resources" reads only the best rows of each period, yet must give exactly
what summing every row gives (property test over random rollups, with a tiny first depth so the widening
and the threshold are exercised)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhijiao.cockpit import selectors
from zhijiao.cockpit.models import Grain, ResourcePeriod

SPAN = selectors.Range(date(2026, 2, 25), date(2026, 4, 3))  # loose days, one whole month, loose days
KEYS = selectors.period_keys(SPAN)

cell = st.tuples(st.integers(1, 12), st.integers(0, len(KEYS) - 1), st.integers(0, 9), st.integers(0, 5))


def test_period_keys_cover_the_range_with_whole_months_as_month_rows():
    assert (Grain.MONTH, date(2026, 3, 1)) in KEYS
    days = [start for grain, start in KEYS if grain == Grain.DAY]
    assert days == [date(2026, 2, d) for d in range(25, 29)] + [date(2026, 4, d) for d in (1, 2, 3)]


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=st.lists(cell, max_size=80, unique_by=lambda c: (c[0], c[1])), limit=st.integers(1, 6))
def test_top_resources_equal_the_full_sum(tree, monkeypatch, cells, limit):
    monkeypatch.setattr(selectors, "TOP_DEPTH_FACTOR", 1)
    ResourcePeriod.objects.all().delete()
    org = tree.nation
    ResourcePeriod.objects.bulk_create([
        ResourcePeriod(resource_id=resource, organisation=org, grain=KEYS[key][0], start=KEYS[key][1],
                       learners=learners, views=views)
        for resource, key, learners, views in cells])
    # Rows outside the range or of another organisation never count.
    ResourcePeriod.objects.create(resource_id=99, organisation=org, grain=Grain.DAY, start=date(2026, 4, 4),
                                  learners=1000)
    ResourcePeriod.objects.create(resource_id=98, organisation=tree.province, grain=Grain.MONTH,
                                  start=date(2026, 3, 1), learners=1000)
    fast = selectors.top_resources(org, SPAN, limit=limit)
    full = selectors._named(selectors._resource_totals(org, SPAN, limit))
    assert fast == full
