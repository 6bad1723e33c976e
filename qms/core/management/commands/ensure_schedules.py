from django.core.management.base import BaseCommand

from qms.core.schedules import ensure_schedules


class Command(BaseCommand):
    help = (
        "Create the default Celery beat schedules that do not exist yet (never overwrites edits)."
    )

    def handle(self, *args, **options):
        created = ensure_schedules()
        if created:
            self.stdout.write(self.style.SUCCESS(f"Created schedules: {', '.join(created)}"))
        else:
            self.stdout.write("All default schedules already exist.")
