from django.apps import AppConfig


class LeadershipConfig(AppConfig):
    name = "leadership"
    verbose_name = "Leadership: policy, responsibilities, resources"

    def ready(self) -> None:
        from leadership import models, reminders
        from leadership.demo import seed_leadership
        from leadership.demo_registers import seed_registers
        from leadership.home import home_panel_context
        from leadership.registers import CONTEXT_ISSUES, RISKS
        from qms.core import audit
        from qms.core.demo import DEMO_STEPS
        from qms.core.home import HomePanel, register_home_panel
        from qms.core.navigation import NavItem, register_nav_item
        from qms.core.registers.declare import declare_register

        for model in (
            models.QualityPolicy,
            models.PolicyVersion,
            models.PolicyCommitment,
            models.PolicyAcknowledgement,
            models.Responsibility,
            models.ResourceAllocation,
            models.ResourceSpend,
        ):
            audit.register(model)
        audit.register(
            models.ResponsibilityAssignment, select_related=("responsibility", "membership__user")
        )

        register_nav_item(NavItem("Policy", "leadership:policy", order=20, group="Leadership"))
        register_nav_item(
            NavItem("Responsibilities", "leadership:responsibilities", order=30, group="Leadership")
        )
        register_nav_item(
            NavItem("Resources", "leadership:resources", order=40, group="Leadership")
        )
        register_nav_item(
            NavItem("Top management", "leadership:executives", order=50, group="Leadership")
        )
        register_home_panel(HomePanel("leadership/home_panel.html", home_panel_context, order=5))
        reminders.register()
        declare_register(CONTEXT_ISSUES)
        declare_register(RISKS)
        if seed_leadership not in DEMO_STEPS:
            DEMO_STEPS.append(seed_leadership)
        if seed_registers not in DEMO_STEPS:
            DEMO_STEPS.append(seed_registers)
