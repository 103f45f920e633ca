"""What every detector shares: its description, its parameters, and the finding it proposes (a hit)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings


@dataclass
class Detector:
    name: str
    kind: str  # a monitoring.MisconductKind value
    title: str  # lazy translation
    behaviour: str  # lazy translation: what it looks for
    params: dict
    scope: str = "account"  # "account": one learner's day; "cross": across accounts; "history": against own past

    def settings_params(self) -> dict:
        """The parameters in force: the defaults here, overridden by ``ZJ_MONITORING_DETECTORS[name]``."""
        overrides = getattr(settings, "ZJ_MONITORING_DETECTORS", {}).get(self.name, {})
        return {**self.params, **overrides}


@dataclass
class Hit:
    """A detector's proposal: ``user`` looked like ``detector``'s behaviour on this day, this sure."""

    detector: str
    user: int
    score: float
    start: float  # epoch seconds of the first and last evidence
    end: float
    evidence: dict = field(default_factory=dict)
    course: int = 0  # digest of the course id; 0: the learner's first course of the day
    platform: int = 0  # organisation id of the reporting platform; 0: from the learner's first event
