from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HiringConfig(AppConfig):
    """Job fairs, applications, online signing of the three-party agreement, destinations and progress."""

    name = "zhijiao.employment.hiring"
    label = "employment_hiring"
    verbose_name = _("Job fairs, applications and signing")
