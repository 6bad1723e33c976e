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
        from leadership.communication import models
        from qms.core import audit

        audit.register(models.CommunicationPlanItem, select_related=())
        audit.register(models.PlanOccurrence, select_related=("item",))
        audit.register(models.Announcement)
        audit.register(models.LeadershipActivity)
