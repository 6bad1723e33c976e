from django.apps import AppConfig


class CommunicationConfig(AppConfig):
    """Communication (ISO 9001 7.4) and awareness (7.3): the communication plan, announcements
    with read receipts, and executives' leadership activities. Its own app inside `leadership`
    (own migrations) because the leadership app is large; it depends on leadership, never the
    other way."""

    name = "leadership.communication"
    label = "communication"
    verbose_name = "Leadership: communication"

    def ready(self) -> None:
        from django.urls import reverse

        from leadership.communication import models, reminders, tasks  # noqa: F401
        from leadership.communication.demo import seed_communication
        from leadership.communication.permissions import ACTIVITY_READER_ROLES
        from qms.core import audit
        from qms.core.actions.sources import register_action_source
        from qms.core.demo import DEMO_STEPS
        from qms.core.navigation import NavItem, register_nav_item

        audit.register(models.CommunicationPlanItem, select_related=("communicator__user",))
        audit.register(models.PlanOccurrence, select_related=("item",))
        audit.register(models.Announcement)
        audit.register(models.LeadershipActivity)
        register_action_source(
            models.LeadershipActivity,
            kind="leadership_activity",
            label="Leadership activity",
            url=lambda a: reverse("communication:activity", args=[a.organization.slug, a.pk]),
        )
        reminders.register()
        # A leaver's communications still in the plan need someone else to make them.
        from qms.core.handover import register_responsibility

        register_responsibility(
            "communication",
            model=models.CommunicationPlanItem,
            field="communicator",
            label="Communicator of planned communication",
            still_open=lambda items: items.filter(is_active=True),
            url=lambda item: reverse("communication:plan", args=[item.organization.slug]),
        )
        register_nav_item(
            NavItem(
                "Announcements",
                "communication:announcements",
                order=60,
                group="Leadership",
                section="Communication",
            )
        )
        register_nav_item(
            NavItem(
                "Communication plan",
                "communication:plan",
                order=61,
                group="Leadership",
                section="Communication",
            )
        )
        register_nav_item(
            NavItem(
                "Leadership activities",
                "communication:activities",
                roles=ACTIVITY_READER_ROLES,
                order=62,
                group="Leadership",
                section="Communication",
            )
        )
        if seed_communication not in DEMO_STEPS:
            DEMO_STEPS.append(seed_communication)
