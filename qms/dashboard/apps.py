from django.apps import AppConfig
from django.urls import reverse


def _home_panel_context(request) -> dict:
    return {
        "dashboard_url": reverse(
            "dashboard:dashboard", kwargs={"org_slug": request.organization.slug}
        )
    }


class DashboardConfig(AppConfig):
    name = "qms.dashboard"
    label = "dashboard"
    verbose_name = "Executive dashboard"

    def ready(self) -> None:
        from qms.core.home import HomePanel, register_home_panel, register_landing_page
        from qms.core.navigation import NavItem, register_nav_item
        from qms.core.roles import Role

        register_nav_item(NavItem("Dashboard", "dashboard:dashboard", order=1))
        # Top management lands on the dashboard after signing in (issue 7).
        register_landing_page({Role.EXECUTIVE}, "dashboard:dashboard")
        # Executives start here: the home page points them to the dashboard first.
        register_home_panel(
            HomePanel(
                "dashboard/home_panel.html",
                _home_panel_context,
                roles=frozenset({Role.EXECUTIVE}),
                order=1,
            )
        )
