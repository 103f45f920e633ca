from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CockpitConfig(AppConfig):
    name = "zhijiao.cockpit"
    label = "cockpit"
    verbose_name = _("Data cockpit")  # 数字驾驶舱

    def ready(self):
        from zhijiao.cockpit import tasks
        from zhijiao.records.signals import statements_stored

        statements_stored.connect(tasks.on_statements_stored, dispatch_uid="cockpit-rollups")
