"""What CoreConfig.ready() calls to plug webhooks in: models, the notification kind telling
admins an endpoint was disabled, the daily overdue-actions emitter."""

from __future__ import annotations


def register() -> None:
    from qms.core import audit
    from qms.core.notifications.registry import register_kind
    from qms.core.schedules import DefaultSchedule, register_schedule
    from qms.core.webhooks import models, tasks  # noqa: F401  (registers them)
    from qms.core.webhooks.services import DISABLED_KIND

    audit.register(models.Webhook)
    register_kind(
        DISABLED_KIND,
        "Webhook disabled",
        critical=True,
        description="For administrators: an endpoint was disabled after repeated failures.",
    )
    register_schedule(
        DefaultSchedule(
            name="Webhooks: overdue actions",
            task="webhooks.emit_overdue_actions",
            crontab={"minute": "10", "hour": "7"},
            description="Sends action.overdue to subscribed endpoints, once per action and due "
            "date.",
        )
    )
