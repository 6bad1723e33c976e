"""python manage.py rotate_evidence_signing_key --organization SLUG: retire the organisation's
evidence signing key and make a new one. Packs signed before still verify (the retired key's
public half is kept); the change is in the organisation's audit trail."""

from __future__ import annotations

import getpass

from django.core.management.base import BaseCommand, CommandError

from qms.core.models import Organization
from qms.evidence import services


class Command(BaseCommand):
    help = "Rotate an organisation's evidence-pack signing key (old packs still verify)."

    def add_arguments(self, parser):
        parser.add_argument("--organization", required=True, help="the organisation's slug")

    def handle(self, *args, **options):
        organization = Organization.objects.filter(slug=options["organization"]).first()
        if organization is None:
            raise CommandError(f"No organisation with slug {options['organization']!r}.")
        key = services.signing_key_rotate(
            organization=organization,
            actor=f"manage.py rotate_evidence_signing_key (by {getpass.getuser()})",
        )
        self.stdout.write(
            f"{organization.name} now signs its packs with the key whose fingerprint is "
            f"{key.fingerprint}. Packs signed before still verify. Send its auditors the new "
            "keys file (Audit -> Verify a pack)."
        )
