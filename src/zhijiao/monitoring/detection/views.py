"""The detection page (/monitoring/detection/) for monitoring staff: detectors, parameters, runs, evaluations."""

from __future__ import annotations

from django.shortcuts import render

from zhijiao.identity.decorators import admin_page
from zhijiao.monitoring.detection import selectors


@admin_page(selectors.CAPABILITY)
def index(request):
    detectors = selectors.detectors()
    groups: dict[str, dict] = {}
    for d in detectors:
        groups.setdefault(d["kind"], {"label": d["kind_label"], "detectors": []})["detectors"].append(d)
    return render(request, "monitoring_detection/index.html", {
        "groups": list(groups.values()), "last": selectors.last_batch(), "runs": selectors.runs(10),
        "evaluations": selectors.evaluations(),
    })
