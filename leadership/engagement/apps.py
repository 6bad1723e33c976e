from django.apps import AppConfig


class EngagementConfig(AppConfig):
    """Staff engagement (ISO 9001 5.1, 7.3): improvement suggestions, anonymous pulse surveys,
    milestones and recognition, and the staff quality board. Its own app inside `leadership`
    (own migrations); it may read `leadership.communication`, never the other way."""

    name = "leadership.engagement"
    label = "engagement"
    verbose_name = "Leadership: engagement"

    def ready(self) -> None:
        from django.urls import reverse

        from leadership.engagement import models, reminders, tasks  # noqa: F401
        from leadership.engagement.demo import seed_engagement
        from leadership.engagement.home import board_panel_context
        from qms.core import audit
        from qms.core.actions.sources import register_action_source
        from qms.core.demo import DEMO_STEPS
        from qms.core.home import HomePanel, register_home_panel
        from qms.core.navigation import NavItem, register_nav_item

        # Survey responses and participations are deliberately not audited: a history row says
        # who and when, the very link anonymity forbids (see models/surveys.py).
        audit.register(models.Suggestion)
        audit.register(models.SurveyStatement)
        audit.register(models.SurveyRound)
        audit.register(models.Milestone)
        audit.register(models.Recognition, select_related=("recipient__user", "team"))
        register_action_source(
            models.Suggestion,
            kind="suggestion",
            label="Improvement suggestion",
            url=lambda s: reverse("engagement:suggestion", args=[s.organization.slug, s.pk]),
        )
        reminders.register()
        # A leaver's milestones still waiting for recognition go to another executive.
        from qms.core.handover import register_responsibility
        from qms.core.roles import Role

        register_responsibility(
            "milestone",
            model=models.Milestone,
            field="executive",
            label="Executive to recognise milestone",
            still_open=lambda milestones: milestones.awaiting_recognition(),
            url=lambda milestone: reverse(
                "engagement:recognition", args=[milestone.organization.slug]
            ),
            holder_roles={Role.EXECUTIVE},
        )
        # In the Leadership menu beside the policy (the bar is full); the home page's first
        # panel also leads every member to it.
        register_nav_item(
            NavItem(
                "Quality board",
                "engagement:board",
                order=21,
                group="Leadership",
                section="Engagement",
            )
        )
        register_nav_item(
            NavItem(
                "Suggestions",
                "engagement:suggestions",
                order=63,
                group="Leadership",
                section="Engagement",
            )
        )
        register_nav_item(
            NavItem(
                "Pulse survey",
                "engagement:survey",
                order=64,
                group="Leadership",
                section="Engagement",
            )
        )
        register_nav_item(
            NavItem(
                "Recognition",
                "engagement:recognition",
                order=65,
                group="Leadership",
                section="Engagement",
            )
        )
        register_nav_item(
            NavItem(
                "Lessons learned",
                "engagement:lessons",
                order=66,
                group="Leadership",
                section="Engagement",
            )
        )
        register_home_panel(HomePanel("engagement/home_panel.html", board_panel_context, order=1))
        if seed_engagement not in DEMO_STEPS:
            DEMO_STEPS.append(seed_engagement)
