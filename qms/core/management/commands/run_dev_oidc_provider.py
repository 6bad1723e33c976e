"""python manage.py run_dev_oidc_provider [--port 8090]: a local OpenID Connect provider to try
sign-in with a company account (demo accounts of `seed_demo`, plus new ones at acme.example).
Development only: it signs in whoever picks an account."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from qms.core.dev_oidc import DevProvider


class Command(BaseCommand):
    help = "Run a local OpenID Connect provider for trying single sign-on (never in production)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8090)

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("The demo identity provider runs only with DEBUG on.")
        accounts = [
            {"email": u.email, "given_name": u.first_name, "family_name": u.last_name}
            for u in get_user_model().objects.exclude(email="").order_by("email")[:20]
        ] + [{"email": "new.starter@acme.example", "given_name": "New", "family_name": "Starter"}]
        provider = DevProvider(accounts, port=options["port"]).start()
        self.stdout.write(f"Demo identity provider on {provider.url}. Start the app with:")
        for name, value in provider.settings().items():
            self.stdout.write(f"  export {name}={value}")
        self.stdout.write("  export OIDC_DOMAIN_ORGANIZATIONS=acme.example=acme")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            provider.stop()
