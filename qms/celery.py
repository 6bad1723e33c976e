"""The Celery application: configured from Django settings (CELERY_*), tasks auto-discovered.
Saves queue tasks through qms.core.outbox.enqueue, which survives a broker that is down."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qms.settings")

app = Celery("qms")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
