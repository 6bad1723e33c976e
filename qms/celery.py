"""The Celery application: configured from Django settings (CELERY_*), tasks auto-discovered.
Saves queue tasks through qms.core.outbox.enqueue, which survives a broker that is down."""

import gc
import os

from celery import Celery
from celery.signals import worker_shutdown

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qms.settings")

app = Celery("qms")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_shutdown.connect
def _leave_the_heap_to_the_exit(**kwargs):
    """Once the worker has stopped, Python's own teardown would run full garbage collections
    over everything Django and the tasks loaded: 2-3 s of CPU, which kept `make demo`'s worker
    past honcho's 5 s on Ctrl-C (it was then killed). The process is exiting and nothing is
    left to finalise, so the collector is told to leave those objects alone."""
    gc.freeze()
