from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "zhijiao.monitoring"
    label = "monitoring"
    verbose_name = _("Credit-course monitoring centre")  # 学分课程数据监测中心

    def ready(self):
        # The monitoring centre's audit actions join the log's list of names and labels.
        from zhijiao.core import audit
        from zhijiao.monitoring.services import AUDIT_ACTIONS

        audit.ACTIONS.update(AUDIT_ACTIONS)
