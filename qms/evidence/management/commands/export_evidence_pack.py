"""python manage.py export_evidence_pack --org SLUG --from YYYY-MM-DD --to YYYY-MM-DD
--out PATH.zip [--unit CODE]: build a pack synchronously, without the web or a worker."""

from __future__ import annotations

import datetime
import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from qms.core.models import Organization, OrgUnit
from qms.evidence import builder
from qms.evidence.sections import Scope
from qms.evidence.services import check_period


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"{value!r} is not a date: write it as YYYY-MM-DD.") from error


class Command(BaseCommand):
    help = "Build a signed evidence pack (ZIP) for an organisation and a period."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="the organisation's slug")
        parser.add_argument("--from", dest="start", required=True, help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="last day, YYYY-MM-DD")
        parser.add_argument("--out", required=True, help="where to write the ZIP")
        parser.add_argument("--unit", help="an org unit's code (its subtree); default: all")

    def handle(self, *args, **options):
        organization = Organization.objects.filter(slug=options["org"]).first()
        if organization is None:
            raise CommandError(f"No organisation with slug {options['org']!r}.")
        unit = None
        if options["unit"]:
            unit = OrgUnit.objects.filter(organization=organization, code=options["unit"]).first()
            if unit is None:
                raise CommandError(f"No unit {options['unit']!r} in {organization.name}.")
        start, end = _date(options["start"]), _date(options["end"])
        try:
            check_period(start, end, timezone.localdate())
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        out = Path(options["out"]).resolve()
        if out.suffix != ".zip":
            raise CommandError("--out names a .zip file.")
        out.parent.mkdir(parents=True, exist_ok=True)

        def progress(percent: int, text: str) -> None:
            if options["verbosity"] > 0:
                print(f"{percent:3d}% {text}", file=sys.stderr)

        built = builder.build(
            Scope(organization, unit, start, end),
            out,
            created_by="manage.py export_evidence_pack",
            progress=progress,
        )
        missing = [f for f in built.findings if f.missing]
        self.stdout.write(
            f"Wrote {out} ({built.files} files, {built.size} bytes; SHA-256 {built.sha256}). "
            f"{len(missing)} gaps stated in the report."
        )
