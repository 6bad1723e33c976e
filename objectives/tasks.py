"""Celery tasks of the objectives app: thin and idempotent, each calling a service.

Sections: rollups (objectives.rollups), imports (objectives.imports).
"""

import datetime

from celery import shared_task

from objectives import rollups

# --- rollups ------------------------------------------------------------------------------


# Rollups write in one transaction and recompute from the measurements, so a worker killed
# mid-way leaves the previous rows and the redelivered task (acks_late) writes them whole.
@shared_task(
    name="objectives.rollup_objective",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=5,
)
def rollup_objective(objective_id: int, period_ends: list[str] | None = None) -> None:
    """Recompute one objective's rollups after its measurements changed."""
    ends = [datetime.date.fromisoformat(end) for end in period_ends] if period_ends else None
    rollups.recompute_objective(objective_id, ends)


@shared_task(name="objectives.rollup_all", acks_late=True, reject_on_worker_lost=True)
def rollup_all(organization_id: int | None = None) -> dict:
    """Nightly full recompute (also catches values that became overdue as days passed)."""
    return rollups.recompute_all(organization_id)


# --- imports ------------------------------------------------------------------------------


# acks_late + reject_on_worker_lost: a worker killed mid-import gets the message redelivered
# under the same task id, which lets the job restart (objectives.imports.measurement_import_run).
@shared_task(
    name="objectives.import_measurements", bind=True, acks_late=True, reject_on_worker_lost=True
)
def import_measurements(self, import_id: int) -> None:
    """Run an uploaded measurement file's job; a redelivery after a dead run starts it again,
    any other delivery of a job already started or finished leaves it alone."""
    # Imported here: this section may only add to the end of the module.
    from objectives.imports import measurement_import_run

    measurement_import_run(import_id=import_id, run_id=self.request.id)


@shared_task(name="objectives.fail_stalled_imports")
def fail_stalled_imports() -> int:
    """Nightly: upload jobs that can no longer finish are marked failed, with what to do."""
    from objectives.imports import imports_fail_stalled

    return imports_fail_stalled()
