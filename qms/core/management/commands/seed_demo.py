import time
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from qms.core.demo import DEMO_PASSWORD, DEMO_USERS, EXTRA_USERS, seed_demo
from qms.core.roles import Role
from qms.core.schedules import ensure_schedules


class Command(BaseCommand):
    help = (
        'Create (or complete) the demo organisation "Acme Precision Ltd" (slug acme). Idempotent.'
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--logins-only",
            action="store_true",
            help="Only print the demo logins (make demo prints them last, where they are seen).",
        )
        parser.add_argument(
            "--no-logins",
            action="store_true",
            help="Seed without printing the logins (make demo prints them once, at the end).",
        )
        parser.add_argument(
            "--when-ready",
            metavar="URL",
            help="Print the logins once the demo's web server answers at URL (make demo's "
            "Procfile does, so that they come after the processes' start-up output).",
        )
        parser.add_argument(
            "--wait",
            type=int,
            default=120,
            metavar="SECONDS",
            help="With --when-ready: how long to wait for the web server (default 120).",
        )

    def handle(self, *args, **options):
        if not options["logins_only"]:
            context = seed_demo()
            ensure_schedules()
            org = context.organization
            self.stdout.write(
                self.style.SUCCESS(f"Demo organisation ready: {org.name} (/o/{org.slug}/)")
            )
        if options["no_logins"]:
            return
        url = options["when_ready"]
        answered = _wait_for(url, options["wait"]) if url else True
        rule = "=" * 78
        if url:
            self.stdout.write(rule)
            if answered:
                self.stdout.write(self.style.SUCCESS(f"  The demo is running: open {url}"))
            else:
                self.stdout.write(
                    self.style.WARNING(
                        f"  The web server has not answered at {url} after {options['wait']} s; "
                        "look above for its error."
                    )
                )
        self.stdout.write(f"  Demo logins (password for all: {DEMO_PASSWORD}):")
        # Every login, the two other executives and the team leads too: the guides and the
        # notifications name them (a try-out looked for ops.director's password).
        for spec in DEMO_USERS + EXTRA_USERS:
            name = f"{spec.first_name} {spec.last_name}"
            self.stdout.write(f"    {spec.username:<12} {Role(spec.role).label:<16} {name}")
        if url:
            mail_dir = _mail_directory()
            if mail_dir:
                self.stdout.write(
                    f"  E-mails the demo sends are written to {mail_dir}/, one file each."
                )
            self.stdout.write(
                "  Ctrl-C stops the web server, the Celery worker and its beat scheduler."
            )
            self.stdout.write(rule)


def _wait_for(url: str, seconds: int) -> bool:
    """True once `url` answers (any HTTP status), False if it has not within `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=5)  # noqa: S310 - the demo's own local address
            return True
        except urllib.error.HTTPError:
            return True  # it answered, even if not with a page
        except (urllib.error.URLError, OSError):
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.5)


def _mail_directory() -> str | None:
    """Where the e-mails go when a file backend writes them (the demo's default)."""
    if "filebased" in settings.EMAIL_BACKEND or "mail_files" in settings.EMAIL_BACKEND:
        return str(Path(settings.EMAIL_FILE_PATH).resolve())
    return None
