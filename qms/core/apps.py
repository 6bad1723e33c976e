from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "qms.core"
    label = "core"
    verbose_name = "Core: organisations, members, audit trail"

    def ready(self) -> None:
        from qms.core import audit
        from qms.core.actions import reminders as action_reminders
        from qms.core.actions.panels import home_panel_context as actions_panel_context
        from qms.core.home import HomePanel, register_home_panel
        from qms.core.models import Action, EffectivenessCheck, Membership, Organization, OrgUnit
        from qms.core.navigation import NavItem, register_nav_item
        from qms.core.notifications.registration import register as register_notifications
        from qms.core.roles import ADMIN_ROLES, ALL_ROLES, AUDIT_TRAIL_ROLES, WRITER_ROLES, Role

        # First: the notification models (in their own package) join the app registry before
        # anything reads model relations.
        register_notifications()
        from qms.core.actions.calendar import action_events
        from qms.core.calendar import models as calendar_models  # noqa: F401  (registers them)
        from qms.core.calendar.registry import register_calendar_source

        register_calendar_source("actions", action_events)
        from qms.core.webhooks.registration import register as register_webhooks

        register_webhooks()
        from qms.core.invitations import models as invitation_models
        from qms.core.invitations import tasks as invitation_tasks  # noqa: F401  (registers it)

        audit.register(invitation_models.Invitation, select_related=("organization",))
        from django.core import checks

        from qms.core.sso import check_settings

        checks.register(check_settings, checks.Tags.security)
        audit.register(Organization, organization_field="id")
        audit.register(OrgUnit)

        audit.register(Membership, select_related=("user", "organization"))
        audit.register(Action)
        audit.register(EffectivenessCheck, select_related=("action",))
        action_reminders.register()
        _register_action_responsibilities()

        register_nav_item(NavItem("Home", "core:org-home", ALL_ROLES, order=0))
        register_nav_item(NavItem("Actions", "core:actions", ALL_ROLES, order=60))
        register_home_panel(
            HomePanel("core/actions/home_panel.html", actions_panel_context, WRITER_ROLES, order=20)
        )
        register_nav_item(
            NavItem("Org units", "core:org-units", ALL_ROLES, order=81, group="Organisation")
        )
        register_nav_item(
            NavItem("People", "core:members", ALL_ROLES, order=80, group="Organisation")
        )
        register_nav_item(
            NavItem(
                "Audit trail", "core:audit-trail", AUDIT_TRAIL_ROLES, order=90, group="Organisation"
            )
        )
        register_nav_item(
            NavItem(
                "System",
                "core:system",
                ADMIN_ROLES | {Role.QUALITY_MANAGER},
                order=95,
                group="Organisation",
            )
        )
        register_nav_item(
            NavItem("Webhooks", "core:webhooks", frozenset({Role.ADMIN}), order=96,
                    group="Organisation")
        )  # fmt: skip


def _register_action_responsibilities() -> None:
    """A leaver's open actions need a new owner and, if they answer for some, a new executive."""
    from django.urls import reverse

    from qms.core.handover import register_responsibility
    from qms.core.models import Action
    from qms.core.roles import Role

    def url(action):
        return reverse("core:action-detail", args=[action.organization.slug, action.number])

    register_responsibility(
        "action-owner",
        model=Action,
        field="owner",
        label="Owner of action",
        still_open=lambda actions: actions.open(),
        url=url,
    )
    register_responsibility(
        "action-executive",
        model=Action,
        field="accountable_executive",
        label="Accountable executive of action",
        still_open=lambda actions: actions.open(),
        url=url,
        holder_roles={Role.EXECUTIVE},
    )
