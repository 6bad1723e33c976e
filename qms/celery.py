"""The Celery application: configured from Django settings (CELERY_*), tasks auto-discovered."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qms.settings")

# QueueTask: a request that queues a task with the broker down still answers (qms.core.health).
app = Celery("qms", task_cls="qms.core.health:QueueTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
