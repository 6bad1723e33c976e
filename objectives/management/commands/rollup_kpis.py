"""`manage.py rollup_kpis [--org SLUG]`: recompute every KPI rollup now, synchronously."""

import time

from django.core.management.base import BaseCommand, CommandError

from objectives.rollups import recompute_all
from qms.core.models import Organization


class Command(BaseCommand):
    help = "Recompute all KPI rollups, unit rollups and current statuses (one organisation or all)."

    def add_arguments(self, parser):
        parser.add_argument("--org", metavar="SLUG", help="Only this organisation.")

    def handle(self, *args, org=None, **options):
        organization = None
        if org:
            organization = Organization.objects.filter(slug=org).first()
            if organization is None:
                raise CommandError(
                    f"No organisation with slug '{org}'. Check the slug in the admin, "
                    "or leave out --org to recompute every organisation."
                )
        started = time.perf_counter()
        stats = recompute_all(organization.id if organization else None)
        elapsed = time.perf_counter() - started
        for name, count in stats.items():
            self.stdout.write(f"{name}: {count}")
        scope = organization.name if organization else "every organisation"
        self.stdout.write(f"Recomputed rollups of {scope} in {elapsed:.2f} s.")
