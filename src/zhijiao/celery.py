"""Celery application. In the embedded default tasks run in-process (CELERY_TASK_ALWAYS_EAGER)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhijiao.settings")

app = Celery("zhijiao")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
