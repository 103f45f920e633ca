from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmploymentConfig(AppConfig):
    name = "zhijiao.employment"
    label = "employment"
    verbose_name = _("24365 employment service")  # 国家24365大学生就业服务平台

    def ready(self):
        # The employment service's audit actions join the log's list of names and labels.
        from zhijiao.core import audit
        from zhijiao.employment.services import AUDIT_ACTIONS

        audit.ACTIONS.update(AUDIT_ACTIONS)
