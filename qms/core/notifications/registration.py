"""What CoreConfig.ready() calls to plug notifications in: load the models (they live in this
package, not in `qms.core.models`), the admin and the tasks, declare the digest kind and the
default beat schedules (created by `manage.py ensure_schedules`, then editable in the admin)."""

from __future__ import annotations


def register() -> None:
    from qms.core.notifications import admin, models, tasks  # noqa: F401  (registers them)
    from qms.core.notifications.digest import DIGEST_KIND, waiting_section
    from qms.core.notifications.registry import register_digest_section, register_kind
    from qms.core.schedules import DefaultSchedule, register_schedule

    register_kind(
        DIGEST_KIND,
        "Weekly digest",
        description="For executives, on Mondays: the decisions waiting for you, your "
        "objectives' status changes, overdue actions you are accountable for, and what is "
        "coming up.",
    )
    register_digest_section(waiting_section, order=5)
    register_schedule(
        DefaultSchedule(
            name="Notifications: reminders and escalations",
            task="notifications.run_reminders",
            crontab={"minute": "0", "hour": "7"},
            description="KPI values due, actions due and overdue (escalated to the accountable "
            "executive), policy acknowledgements pending, and the decisions waiting for someone "
            "(told once, resolved once taken). Each notification is sent once, so running it "
            "more often is safe.",
        )
    )
    register_schedule(
        DefaultSchedule(
            name="Notifications: executives' weekly digest",
            task="notifications.weekly_digest",
            crontab={"minute": "30", "hour": "7", "day_of_week": "1"},
            description="Monday digest to each executive (once per ISO week).",
        )
    )
