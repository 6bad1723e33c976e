"""python manage.py verify_evidence_pack PATH.zip [--organization SLUG] [--public-key PEM]:
check that every byte of the ZIP belongs to a listed file, every file's hash, that the ZIP
holds nothing else, and who signed the manifest; exit 1
on any problem. The same verifier as the page and the standalone download (`verify.py`)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from qms.core.models import Organization
from qms.evidence import signing, verify


class Command(BaseCommand):
    help = (
        "Verify an evidence pack: each file intact, altered, missing, unexpected or duplicate; "
        "who signed it."
    )

    def add_arguments(self, parser):
        parser.add_argument("pack")
        parser.add_argument(
            "--organization",
            help="accept only this organisation's pack (slug), signed with its own keys; "
            "default: any organisation's, saying whose it is",
        )
        parser.add_argument(
            "--public-key", help="a PEM file of keys to trust instead of this application's"
        )

    def handle(self, *args, **options):
        slug = options["organization"]
        if options["public_key"]:
            with open(options["public_key"], "rb") as handle:
                keys = verify.read_keys_file(handle.read(1024 * 1024))
            if not keys:
                raise CommandError(f"{options['public_key']} holds no Ed25519 public key (PEM).")
        elif slug:
            organization = Organization.objects.filter(slug=slug).first()
            if organization is None:
                raise CommandError(f"No organisation with slug {slug!r}.")
            keys = signing.trusted_keys(organization)
        else:
            keys = signing.trusted_keys()
        report = verify.verify(options["pack"], keys, organization=slug)
        self.stdout.write(verify.render(report))
        if not report.ok:
            raise CommandError("The pack did not verify.", returncode=1)
