"""Celery tasks of the evidence app: thin, idempotent, calling services."""

from celery import shared_task

from qms.evidence import services
from qms.evidence.models import EvidencePack


@shared_task(name="evidence.build_pack", acks_late=True)
def build_pack(pack_id: int) -> str:
    pack = EvidencePack.objects.select_related("organization", "org_unit", "requested_by__user")
    return services.pack_build(pack.get(pk=pack_id)).status


@shared_task(name="evidence.expire_packs")
def expire_packs() -> int:
    return services.packs_expire()
