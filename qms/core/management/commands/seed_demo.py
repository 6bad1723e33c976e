from django.core.management.base import BaseCommand

from qms.core.demo import DEMO_PASSWORD, DEMO_USERS, seed_demo
from qms.core.roles import Role
from qms.core.schedules import ensure_schedules


class Command(BaseCommand):
    help = (
        'Create (or complete) the demo organisation "Acme Precision Ltd" (slug acme). Idempotent.'
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--logins-only",
            action="store_true",
            help="Only print the demo logins (make demo prints them last, where they are seen).",
        )

    def handle(self, *args, **options):
        if not options["logins_only"]:
            context = seed_demo()
            ensure_schedules()
            org = context.organization
            self.stdout.write(
                self.style.SUCCESS(f"Demo organisation ready: {org.name} (/o/{org.slug}/)")
            )
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for spec in DEMO_USERS:
            name = f"{spec.first_name} {spec.last_name}"
            self.stdout.write(f"  {spec.username:<12} {Role(spec.role).label:<16} {name}")
