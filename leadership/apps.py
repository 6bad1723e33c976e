from django.apps import AppConfig
from django.db.models import Q
from django.utils import timezone


class LeadershipConfig(AppConfig):
    name = "leadership"
    verbose_name = "Leadership: policy, responsibilities, resources"

    def ready(self) -> None:
        from leadership import models, reminders, reminders_support
        from leadership.demo import seed_leadership
        from leadership.demo_competence import seed_competence
        from leadership.demo_registers import seed_registers
        from leadership.home import home_panel_context
        from leadership.home_support import support_panel_context
        from leadership.registers import CONTEXT_ISSUES, RISKS
        from leadership.registers_support import PARTIES, PROCESSES, REQUIREMENTS
        from qms.core import audit
        from qms.core.demo import DEMO_STEPS
        from qms.core.home import HomePanel, register_home_panel
        from qms.core.navigation import NavItem, register_nav_item
        from qms.core.registers.declare import declare_register
        from qms.core.roles import AUDITOR_AND_MANAGERS

        for model in (
            models.QualityPolicy,
            models.PolicyVersion,
            models.PolicyCommitment,
            models.Responsibility,
            models.ResourceAllocation,
            models.Competence,
            models.CompetenceRequirement,
            models.TrainingSession,
            models.PartyKind,
            models.Certificate,
            models.CertificationAudit,
        ):
            audit.register(model)
        audit.register(models.PolicyAcknowledgement, select_related=("membership__user", "version"))
        audit.register(models.ResourceSpend, select_related=("allocation",))
        audit.register(models.CompetenceRecord, select_related=("competence", "membership__user"))
        audit.register(models.TrainingAttendance, select_related=("session", "membership__user"))
        audit.register(
            models.ResponsibilityAssignment, select_related=("responsibility", "membership__user")
        )

        register_nav_item(
            NavItem(
                "Policy", "leadership:policy", order=20, group="Leadership", section="Direction"
            )
        )
        register_nav_item(
            NavItem(
                "Responsibilities",
                "leadership:responsibilities",
                order=30,
                group="Leadership",
                section="Direction",
            )
        )
        register_nav_item(
            NavItem(
                "Resources",
                "leadership:resources",
                order=40,
                group="Leadership",
                section="Direction",
            )
        )
        register_nav_item(
            NavItem(
                "Top management",
                "leadership:executives",
                order=50,
                group="Leadership",
                section="Direction",
            )
        )
        # Competence, training, processes and the certificate join the Leadership menu rather
        # than adding a top-bar entry (the bar is full at laptop width).
        for label, name, order, section in (
            ("Competence matrix", "leadership:competence-matrix", 67, "People"),
            ("Training", "leadership:training", 68, "People"),
            ("Process map", "leadership:process-map", 80, "Processes"),
            ("Certificate", "leadership:certificate", 90, "Processes"),
        ):
            register_nav_item(
                NavItem(label, name, order=order, group="Leadership", section=section)
            )
        register_home_panel(HomePanel("leadership/home_panel.html", home_panel_context, order=5))
        register_home_panel(
            HomePanel(
                "leadership/home_support_panel.html",
                support_panel_context,
                roles=AUDITOR_AND_MANAGERS,
                order=40,
            )
        )
        reminders.register()
        reminders_support.register()
        _register_responsibilities()
        declare_register(CONTEXT_ISSUES)
        declare_register(RISKS)
        declare_register(PARTIES)
        declare_register(REQUIREMENTS)
        declare_register(PROCESSES)
        if seed_leadership not in DEMO_STEPS:
            DEMO_STEPS.append(seed_leadership)
        if seed_registers not in DEMO_STEPS:
            DEMO_STEPS.append(seed_registers)
        if seed_competence not in DEMO_STEPS:
            DEMO_STEPS.append(seed_competence)

        from leadership.calendar import certification_audit_events
        from qms.core.calendar.registry import register_calendar_source

        register_calendar_source("certification-audits", certification_audit_events)


def _register_responsibilities() -> None:
    """What a leaver hands over here: open risks and processes in use that they own, and the
    QMS responsibilities (5.3) they hold now."""
    from django.urls import reverse

    from leadership import models
    from leadership.services.responsibilities import assignment_hand_over
    from qms.core.handover import register_responsibility

    def register_url(key):
        return lambda record: reverse(
            f"registers:{key}-detail", args=[record.organization.slug, record.pk]
        )

    register_responsibility(
        "risk-owner",
        model=models.Risk,
        field="owner",
        label="Owner of risk or opportunity",
        still_open=lambda risks: risks.exclude(status=models.Risk.Status.CLOSED),
        url=register_url("risks"),
    )
    register_responsibility(
        "process-owner",
        model=models.Process,
        field="owner",
        label="Owner of process",
        still_open=lambda processes: processes.filter(status=models.Process.Status.ACTIVE),
        url=register_url("processes"),
    )
    register_responsibility(
        "responsibility",
        model=models.ResponsibilityAssignment,
        field="membership",
        label="Holder of QMS responsibility",
        still_open=lambda assignments: assignments.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=timezone.localdate())
        ),
        url=lambda assignment: reverse(
            "leadership:responsibilities", args=[assignment.organization.slug]
        ),
        describe=lambda assignment: str(assignment.responsibility),
        select_related=("responsibility",),
        hand_over=assignment_hand_over,
    )
