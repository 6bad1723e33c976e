from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Reviews: nonconformities, audits, customer feedback, providers"

    def ready(self) -> None:
        from qms.core.demo import DEMO_FINAL_STEPS, DEMO_STEPS
        from qms.core.registers.declare import declare_register
        from reviews.demo import seed_reviews
        from reviews.demo_actions import seed_register_actions
        from reviews.demo_meetings import recompile_demo_agendas, seed_management_reviews
        from reviews.registers import REGISTERS

        for register in REGISTERS:
            declare_register(register)
        from leadership.engagement.lessons import register_lesson_source
        from reviews.registers.nonconformities import nonconformity_lessons

        register_lesson_source("nonconformity", nonconformity_lessons)
        self._management_reviews()
        if seed_reviews not in DEMO_STEPS:
            DEMO_STEPS.append(seed_reviews)
        if seed_register_actions not in DEMO_STEPS:
            DEMO_STEPS.append(seed_register_actions)
        if seed_management_reviews not in DEMO_STEPS:
            DEMO_STEPS.append(seed_management_reviews)
        if recompile_demo_agendas not in DEMO_FINAL_STEPS:
            DEMO_FINAL_STEPS.append(recompile_demo_agendas)
        # Lessons learned on the nonconformities seeded above (leadership.engagement's page).
        from leadership.engagement.demo import seed_lessons

        if seed_lessons not in DEMO_STEPS:
            DEMO_STEPS.append(seed_lessons)

    def _responsibilities(self) -> None:
        """What a leaver hands over here: the nonconformities they own that are still open,
        and the reviews still to be held that they are to chair."""
        from django.urls import reverse
        from django.utils.formats import date_format

        from qms.core.handover import register_responsibility
        from qms.core.roles import Role
        from reviews import models

        register_responsibility(
            "nonconformity-owner",
            model=models.Nonconformity,
            field="owner",
            label="Owner of nonconformity",
            still_open=lambda records: records.exclude(status=models.Nonconformity.Status.CLOSED),
            url=lambda record: reverse(
                "registers:nonconformities-detail", args=[record.organization.slug, record.pk]
            ),
        )
        register_responsibility(
            "review-chair",
            model=models.ManagementReview,
            field="chair",
            label="Chair of management review",
            still_open=lambda reviews: reviews.filter(
                status__in=(models.ReviewStatus.PLANNED, models.ReviewStatus.PREPARED)
            ),
            url=lambda review: reverse(
                "reviews:detail", args=[review.organization.slug, review.number]
            ),
            describe=lambda review: (
                f"{review.title} planned for {date_format(review.planned_on, 'j M Y')}"
            ),
            holder_roles={Role.EXECUTIVE},
        )

    def _management_reviews(self) -> None:
        from django.urls import reverse

        from qms.core import audit
        from qms.core.actions.sources import register_action_source
        from qms.core.navigation import NavItem, register_nav_item
        from reviews import models

        for model in (models.ReviewSchedule, models.ManagementReview, models.ReviewDecision):
            audit.register(model)
        for model in (models.ReviewInput, models.ReviewAttendee, models.ReviewAddendum):
            audit.register(model, organization_field="review__organization")
        register_action_source(
            models.ReviewDecision,
            kind="review_decision",
            label="Management review decision",
            url=lambda d: reverse("reviews:detail", args=[d.organization.slug, d.review.number]),
            select_related=("review",),
        )
        register_nav_item(NavItem("Reviews", "reviews:list", order=15))

        from qms.core.home import HomePanel, register_home_panel
        from reviews.home import home_panel_context

        register_home_panel(HomePanel("reviews/home_panel.html", home_panel_context, order=8))

        from leadership.selectors.accountability import (
            register_accountability_column,
            register_pending_approval,
        )
        from reviews.selectors_meetings import (
            review_attendance_by_executive,
            reviews_to_sign_off_by_chair,
        )

        register_accountability_column("Reviews attended to date", review_attendance_by_executive)
        register_pending_approval(
            "review to sign off", "reviews to sign off", reviews_to_sign_off_by_chair
        )

        from reviews import reminders

        reminders.register()
        self._responsibilities()

        from qms.core.calendar.registry import register_calendar_source
        from reviews.calendar import review_events

        register_calendar_source("management-reviews", review_events)
