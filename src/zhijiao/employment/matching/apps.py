from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    """Job search, recommendations with reasons, and the daily push of new matching jobs."""

    name = "zhijiao.employment.matching"
    label = "employment_matching"
    verbose_name = _("Job matching and push")
