"""Run the reminder and escalation rules once, without Celery (cron users, demos)."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from qms.core.models import Organization
from qms.core.notifications import services
from qms.core.prose import counted


class Command(BaseCommand):
    help = (
        "Run every reminder and escalation rule once: create the notifications that are due and "
        "e-mail them. Safe to repeat: each notification is sent once. Exits 1 if a rule failed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--org", metavar="SLUG", help="Only this organisation.")
        parser.add_argument(
            "--today", metavar="YYYY-MM-DD", help="Run as if today were this day (demos, tests)."
        )
        parser.add_argument(
            "--digest", action="store_true", help="Also create this week's executive digests."
        )

    def handle(self, *args, **options):
        today = timezone.localdate()
        if options["today"]:
            try:
                today = datetime.date.fromisoformat(options["today"])
            except ValueError as error:
                raise CommandError(
                    f"--today {options['today']!r} is not a date; write it as 2026-11-30."
                ) from error
        organization = None
        if options["org"]:
            organization = Organization.objects.filter(slug=options["org"]).first()
            if organization is None:
                raise CommandError(f"There is no organisation with the slug {options['org']!r}.")
            if not organization.is_active:
                raise CommandError(f"Organisation {options['org']!r} is not active.")
        report = services.reminders_run(today=today, organization=organization, raise_errors=False)
        if options["digest"]:
            report.add(services.digest_run(today=today, organization=organization))
        # The e-mails include those of earlier notifications still waiting to be sent, so
        # there can be more e-mails than notifications created: the line says so.
        self.stdout.write(
            f"{today:%-d %b %Y}: {counted(report.created, 'notification')} created; "
            f"{counted(report.emailed, 'e-mail')} sent, earlier ones waiting included; "
            f"{counted(report.email_failures, 'e-mail')} failed."
        )
        if report.errors:
            for error in report.errors:
                self.stderr.write(f"Rule failed: {error}")
            raise CommandError("Some reminder rules failed; the others ran (see above).")
