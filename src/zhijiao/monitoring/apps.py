from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "zhijiao.monitoring"
    label = "monitoring"
    verbose_name = _("Credit-course monitoring centre")  # 学分课程数据监测中心
