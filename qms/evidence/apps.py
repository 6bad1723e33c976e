from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    """Evidence packs for auditors, their verifier, and the auditors' access log. Reads the
    other apps through their models and selectors; writes only its own tables."""

    name = "qms.evidence"
    label = "evidence"
    verbose_name = "Evidence packs"

    def ready(self) -> None:
        from qms.core import audit
        from qms.core.navigation import NavItem, register_nav_item
        from qms.core.schedules import DefaultSchedule, register_schedule
        from qms.evidence.models import ReadinessThresholds, SigningKey
        from qms.evidence.permissions import ACCESS_LOG_ROLES, EXPORT_ROLES

        audit.register(ReadinessThresholds)
        audit.register(SigningKey)
        # Sections register themselves on import, in the report's order.
        from qms.evidence.sections import (  # noqa: F401
            audit_trail,
            communication,
            engagement,
            leadership,
            planning,
            reviews,
            support,
        )

        register_nav_item(
            NavItem("Evidence packs", "evidence:packs", roles=EXPORT_ROLES, order=90, group="Audit")
        )
        register_nav_item(
            NavItem(
                "Auditor access log",
                "evidence:access-log",
                roles=ACCESS_LOG_ROLES,
                order=92,
                group="Audit",
            )
        )
        register_nav_item(
            NavItem(
                "Audit readiness", "evidence:readiness", roles=EXPORT_ROLES, order=89, group="Audit"
            )
        )
        register_nav_item(
            NavItem("Verify a pack", "evidence:verify", roles=EXPORT_ROLES, order=94, group="Audit")
        )
        register_schedule(
            DefaultSchedule(
                name="Expire evidence packs",
                task="evidence.expire_packs",
                description="Deletes the files of evidence packs past their expiry date.",
                crontab={"minute": "40", "hour": "3"},
            )
        )
