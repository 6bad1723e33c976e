"""python manage.py verify_evidence_pack PATH.zip [--public-key PEM]: check every file's hash
and the manifest's signature; exit 1 on any problem."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from qms.evidence import signing, verify


class Command(BaseCommand):
    help = "Verify an evidence pack: each file intact, altered, missing or unexpected; signature."

    def add_arguments(self, parser):
        parser.add_argument("pack")
        parser.add_argument(
            "--public-key", help="a PEM public key to trust instead of this application's"
        )

    def handle(self, *args, **options):
        if options["public_key"]:
            with open(options["public_key"], "rb") as handle:
                key = handle.read()
        else:
            key = signing.public_key_pem().encode()
        report = verify.verify(options["pack"], key)
        self.stdout.write(verify.render(report))
        if not report.ok:
            raise CommandError("The pack did not verify.", returncode=1)
