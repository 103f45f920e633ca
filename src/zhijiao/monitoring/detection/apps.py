from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DetectionConfig(AppConfig):
    """The detectors: features over learning records, rules, the anomaly score, and the simulator."""

    name = "zhijiao.monitoring.detection"
    label = "monitoring_detection"
    verbose_name = _("Abnormal-learning detection")

    def ready(self):
        from zhijiao.monitoring.detection import tasks
        from zhijiao.records.signals import statements_stored

        statements_stored.connect(tasks.on_statements_stored, dispatch_uid="monitoring-detection")
