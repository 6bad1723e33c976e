"""`manage.py import_measurements PATH --org SLUG [--user USERNAME]`: import a CSV or XLSX file
of KPI values now, with the same rules as the upload page: every row valid, or nothing."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from objectives.imports import measurements_import, read_rows, summary
from qms.core.models import Membership, Organization


class Command(BaseCommand):
    help = "Import measurements (objective_code, period_end, value, note) from a .csv or .xlsx."

    def add_arguments(self, parser):
        parser.add_argument("path", help="The .csv (UTF-8) or .xlsx file.")
        parser.add_argument("--org", metavar="SLUG", required=True, help="The organisation.")
        parser.add_argument(
            "--user",
            metavar="USERNAME",
            help="Record the values as entered by this member (default: nobody).",
        )

    def handle(self, *args, path, org, user=None, **options):
        organization = Organization.objects.filter(slug=org).first()
        if organization is None:
            raise CommandError(f"No organisation with slug '{org}'. Check the slug in the admin.")
        member = None
        if user:
            member = get_user_model().objects.filter(username=user).first()
            if (
                member is None
                or not Membership.objects.filter(
                    user=member, organization=organization, is_active=True
                ).exists()
            ):
                raise CommandError(f"'{user}' is not a member of {organization.name}.")
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"There is no file at {path}.")
        result = measurements_import(
            organization=organization,
            rows=read_rows(file, file.name),
            user=member,
            reason=f"Imported from {file.name}",
        )
        if not result.ok:
            for error in result.errors:
                self.stderr.write(error["message"])
            hidden = result.error_count - len(result.errors)
            if hidden:
                self.stderr.write(f"… and {hidden:,} more rows with errors.")
            raise CommandError(
                f"The file was rejected: {result.error_count:,} "
                f"{'problem' if result.error_count == 1 else 'problems'}. Nothing was imported."
            )
        self.stdout.write(summary(result))
