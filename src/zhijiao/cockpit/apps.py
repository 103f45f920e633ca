from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CockpitConfig(AppConfig):
    name = "zhijiao.cockpit"
    label = "cockpit"
    verbose_name = _("Data cockpit")  # 数字驾驶舱
