"""python manage.py rotate_evidence_signing_key --organization SLUG [--leaked]: retire the
organisation's evidence signing key and make a new one. Packs signed before still verify (the
retired key's public half is kept), unless --leaked revokes it; the change is in the
organisation's audit trail.

python manage.py rotate_evidence_signing_key --revoke-platform-key: revoke the platform key used
before per-organisation keys, so that no pack it signed verifies any more, for any organisation
(it is retired already: it vouches only for packs made before per-organisation keys)."""

from __future__ import annotations

import getpass

from django.core.management.base import BaseCommand, CommandError

from qms.core.models import Organization
from qms.evidence import services


class Command(BaseCommand):
    help = (
        "Rotate an organisation's evidence-pack signing key (old packs still verify, unless "
        "--leaked), or revoke the former platform key (--revoke-platform-key)."
    )

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--organization", help="the organisation's slug")
        which.add_argument(
            "--revoke-platform-key",
            action="store_true",
            help="revoke the platform key used before per-organisation keys: no pack it signed "
            "verifies any more, for any organisation",
        )
        parser.add_argument(
            "--leaked",
            action="store_true",
            help="the key may have leaked: revoke it, so no pack it signed verifies any more",
        )

    def handle(self, *args, **options):
        actor = f"manage.py rotate_evidence_signing_key (by {getpass.getuser()})"
        if options["revoke_platform_key"]:
            return self._revoke_platform_key(actor)
        organization = Organization.objects.filter(slug=options["organization"]).first()
        if organization is None:
            raise CommandError(f"No organisation with slug {options['organization']!r}.")
        key = services.signing_key_rotate(
            organization=organization, actor=actor, leaked=options["leaked"]
        )
        self.stdout.write(
            f"{organization.name} now signs its packs with the key whose fingerprint is "
            f"{key.fingerprint}. "
            + (
                "The old key is revoked: no pack it signed verifies any more. "
                if options["leaked"]
                else "Packs made before still verify. "
            )
            + "Send its auditors the new keys file (Audit -> Verify a pack)."
        )

    def _revoke_platform_key(self, actor: str) -> None:
        revoked = services.platform_signing_key_revoke(actor=actor)
        if not revoked:
            self.stdout.write(
                "There is no platform key to revoke: this installation recorded none when it "
                "moved to per-organisation keys, or it was revoked before."
            )
            return
        fingerprints = ", ".join(key.fingerprint for key in revoked)
        self.stdout.write(
            f"The platform key used before per-organisation keys (fingerprint {fingerprints}) "
            "is revoked: no pack it signed verifies any more, for any organisation. Destroy "
            "its file (EVIDENCE_SIGNING_KEY_FILE) and any copy in backups, and send each "
            "organisation's auditors the new keys file."
        )
