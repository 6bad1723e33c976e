from django.apps import AppConfig
from django.urls import reverse


def _objective_url(objective) -> str:
    return reverse(
        "objectives:detail",
        kwargs={"org_slug": objective.organization.slug, "code": objective.code},
    )


class ObjectivesConfig(AppConfig):
    name = "objectives"
    verbose_name = "Quality objectives and KPIs"

    def ready(self) -> None:
        from objectives import reminders
        from objectives.demo import seed_objectives
        from objectives.home import home_panel_context
        from objectives.models import ActionStep, Measurement, QualityObjective
        from qms.core import audit
        from qms.core.actions.sources import register_action_source
        from qms.core.demo import DEMO_FINAL_STEPS, DEMO_STEPS
        from qms.core.home import HomePanel, register_home_panel
        from qms.core.navigation import NavItem, register_nav_item
        from qms.core.schedules import DefaultSchedule, register_schedule

        audit.register(QualityObjective)
        audit.register(Measurement, select_related=("objective",), named_as_it_was=True)
        audit.register(ActionStep)
        # An off-track objective raises corrective actions (ISO 9001 10.2).
        register_action_source(
            QualityObjective, kind="objective", label="Objective", url=_objective_url
        )
        register_nav_item(NavItem("Objectives", "objectives:list", order=10))
        register_nav_item(
            NavItem("Objective rules", "objectives:rules", frozenset({"admin"}), order=97,
                    group="Organisation")
        )  # fmt: skip
        reminders.register()
        _register_responsibilities()
        register_home_panel(HomePanel("objectives/home_panel.html", home_panel_context, order=10))
        if seed_objectives not in DEMO_STEPS:
            DEMO_STEPS.append(seed_objectives)
        from objectives.demo import seed_red_follow_ups

        # Once the demo's actions exist: an objective with one open already is covered by it,
        # not given a second "Bring OBJ-04 back on track" (what a real organisation would see).
        if seed_red_follow_ups not in DEMO_FINAL_STEPS:
            DEMO_FINAL_STEPS.append(seed_red_follow_ups)
        register_schedule(
            DefaultSchedule(
                name="KPI rollups: nightly full recompute",
                task="objectives.rollup_all",
                crontab={"minute": "30", "hour": "1"},
                description="Recomputes every KPI rollup and current status; catches values "
                "that became overdue as days passed.",
            )
        )
        register_schedule(
            DefaultSchedule(
                name="KPI imports: fail stalled uploads",
                task="objectives.fail_stalled_imports",
                crontab={"minute": "50", "hour": "3"},
                description="Marks failed the uploads whose worker stopped or whose task was "
                "never delivered (nothing of them was imported), so the uploader can try again.",
            )
        )
        from objectives.calendar import kpi_due_events
        from qms.core.calendar.registry import register_calendar_source

        register_calendar_source("kpi-values-due", kpi_due_events)

        from qms.core.units import units_moved

        # A unit moved: the results of the units above its old and new place change.
        units_moved.connect(_recompute_after_move, dispatch_uid="objectives-units-moved")

        from objectives import red_follow_ups
        from objectives.models import ObjectiveRules, RedFollowUp
        from objectives.status_events import register_status_listener
        from qms.core.notifications.registry import register_kind

        audit.register(RedFollowUp, select_related=("objective",))
        audit.register(ObjectiveRules)
        register_status_listener(red_follow_ups.on_status_changes)
        register_kind(
            red_follow_ups.EXPLAIN_KIND,
            "Off-track objective: explain it",
            critical=True,
            description="For an objective's owner, when it turns red or stays red in a new "
            "period: why, and the next step (further values wait for it).",
        )
        register_kind(
            red_follow_ups.PROPOSAL_KIND,
            "Corrective action proposed",
            critical=True,
            description="For the accountable executive of an objective that went off track.",
        )


def _recompute_after_move(sender, organization_id: int, **kwargs) -> None:
    from objectives.tasks import rollup_all
    from qms.core.outbox import enqueue

    enqueue(rollup_all, organization_id)


def _register_responsibilities() -> None:
    """What a leaver hands over here: the active objectives they own or answer for, and the
    steps of objective plans still to do."""
    from objectives.models import ActionStep, QualityObjective
    from qms.core.handover import register_responsibility
    from qms.core.roles import Role

    def active(objectives):
        return objectives.filter(status=QualityObjective.Status.ACTIVE)

    def describe(objective):
        return f"{objective.code} {objective.title}"

    register_responsibility(
        "objective-owner",
        model=QualityObjective,
        field="owner",
        label="Owner of objective",
        still_open=active,
        url=_objective_url,
        describe=describe,
    )
    register_responsibility(
        "objective-executive",
        model=QualityObjective,
        field="accountable_executive",
        label="Accountable executive of objective",
        still_open=active,
        url=_objective_url,
        holder_roles={Role.EXECUTIVE},
        describe=describe,
    )
    register_responsibility(
        "plan-step",
        model=ActionStep,
        field="responsible",
        label="Responsible for plan step",
        still_open=lambda steps: steps.filter(
            status__in=(ActionStep.Status.PLANNED, ActionStep.Status.IN_PROGRESS)
        ),
        url=lambda step: _objective_url(step.objective),
        describe=lambda step: f"{step.objective.code}: {step.what}",
        select_related=("objective__organization",),
    )
