from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Reviews: nonconformities, audits, customer feedback, providers"

    def ready(self) -> None:
        from qms.core.demo import DEMO_STEPS
        from qms.core.registers.declare import declare_register
        from reviews.demo import seed_reviews
        from reviews.demo_actions import seed_register_actions
        from reviews.registers import REGISTERS

        for register in REGISTERS:
            declare_register(register)
        if seed_reviews not in DEMO_STEPS:
            DEMO_STEPS.append(seed_reviews)
        if seed_register_actions not in DEMO_STEPS:
            DEMO_STEPS.append(seed_register_actions)
