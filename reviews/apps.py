from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Reviews: nonconformities, audits, customer feedback, providers"

    def ready(self) -> None:
        from qms.core.demo import DEMO_STEPS
        from qms.core.registers.declare import declare_register
        from reviews.demo import seed_reviews
        from reviews.demo_actions import seed_register_actions
        from reviews.demo_meetings import seed_management_reviews
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
        # Lessons learned on the nonconformities seeded above (leadership.engagement's page).
        from leadership.engagement.demo import seed_lessons

        if seed_lessons not in DEMO_STEPS:
            DEMO_STEPS.append(seed_lessons)

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

        register_accountability_column("Reviews attended", review_attendance_by_executive)
        register_pending_approval(
            "review to sign off", "reviews to sign off", reviews_to_sign_off_by_chair
        )

        from reviews import reminders

        reminders.register()

        from qms.core.calendar.registry import register_calendar_source
        from reviews.calendar import review_events

        register_calendar_source("management-reviews", review_events)
