"""Celery tasks of the evidence app: thin, idempotent, calling services."""

from celery import shared_task

from qms.evidence import services
from qms.evidence.models import EvidencePack


# A worker killed mid-build: the message goes back to the queue and the build starts again
# from nothing (the half-written ZIP is never renamed to its final name).
@shared_task(name="evidence.build_pack", acks_late=True, reject_on_worker_lost=True)
def build_pack(pack_id: int) -> str:
    pack = EvidencePack.objects.select_related("organization", "org_unit", "requested_by__user")
    return services.pack_build(pack.get(pk=pack_id)).status


@shared_task(name="evidence.expire_packs")
def expire_packs() -> int:
    return services.packs_expire()
