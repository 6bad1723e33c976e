"""The demo organisation: one login per role, a second run adds nothing, and a worker starting
after it sends only today's news."""

import pytest
from django.core.management import call_command

from qms.core.models import Membership, Organization, OrgUnit
from qms.core.roles import Role

pytestmark = pytest.mark.django_db


def _rows_per_table():
    from tests.seeded import _rows

    rows, _ = _rows()
    return {table: len(found) for table, found in rows.items()}


def test_seeding_creates_acme_with_one_login_per_role_and_a_second_run_adds_nothing():
    """The one test that runs the command twice: a second run on a seeded database finds
    what exists and adds nothing, to any table of any app (the apps' own demo tests read the
    demo written back by tests/seeded.py)."""
    call_command("seed_demo", verbosity=0)
    acme = Organization.objects.get(slug="acme")
    assert acme.name == "Acme Precision Ltd"
    assert OrgUnit.objects.filter(organization=acme, depth=2).count() == 3
    roles = set(Membership.objects.filter(organization=acme).values_list("role", flat=True))
    assert roles == set(Role.values)
    auditor = Membership.objects.get(organization=acme, user__username="auditor")
    assert auditor.access_expires_on is not None
    for username in ("executive", "quality", "contributor", "auditor", "admin"):
        membership = Membership.objects.get(organization=acme, user__username=username)
        assert membership.user.check_password("demo1234")
    # Built through the services, so the audit trail says who made it.
    executive = Membership.objects.get(user__username="executive", organization__slug="acme")
    assert executive.history.get().history_user.username == "admin"

    first = _rows_per_table()
    assert first["core_membership"] and first["reviews_managementreview"]
    call_command("seed_demo", verbosity=0)
    again = _rows_per_table()
    # Only the coming review's agenda is compiled again, as a quality manager pressing
    # "Recompile" would, and the audit trail keeps that recompile: the review and each input.
    from reviews.agenda import INPUTS

    assert {t: again[t] - n for t, n in first.items() if again[t] != n} == {
        "reviews_historicalmanagementreview": 1,
        "reviews_historicalreviewinput": len(INPUTS),
    }


def test_a_worker_starting_after_the_demo_sends_only_todays_news(
    django_capture_on_commit_callbacks,
):
    """The worker's first start e-mailed invitations to the reviews held months ago, every
    member the quarterly results of a year ago and the policy announcement of two months ago
    (try-out findings): the demo's history was told on its day; only today's news is e-mailed."""
    from django.core import mail

    from leadership.communication.models import Announcement
    from qms.core.demo import seed_demo
    from reviews.models import ManagementReview, ReviewStatus

    with django_capture_on_commit_callbacks() as queued:
        context = seed_demo()
    assert not mail.outbox
    for callback in queued:  # the worker starts and takes what was queued
        callback()
    invited = {m.subject.split(" ")[0] for m in mail.outbox if m.attachments}
    coming = ManagementReview.objects.for_organization(context.organization).filter(
        status__in=[ReviewStatus.PLANNED, ReviewStatus.PREPARED]
    )
    assert invited == {review.reference for review in coming}
    subjects = [message.subject for message in mail.outbox]
    assert not [s for s in subjects if "Quality results" in s or "policy version 2" in s]
    todays = Announcement.objects.get(
        organization=context.organization, published_at__date=context.today
    )
    assert any(todays.title in s for s in subjects)


def test_the_demo_logins_can_be_printed_last_without_seeding_again(db):
    """`make demo` prints the logins after the reminder run, where a newcomer sees them."""
    from io import StringIO

    from django.core.management import call_command

    from qms.core.models import Organization

    out = StringIO()
    call_command("seed_demo", "--logins-only", stdout=out)
    assert "executive" in out.getvalue() and "demo1234" in out.getvalue()
    # Every login the guides and notifications name, the other executives too.
    for username in ("ops.director", "cs.director", "leeds.lead", "cs.lead"):
        assert username in out.getvalue()
    assert not Organization.objects.exists()


def test_make_demo_prints_the_logins_once_after_the_processes_have_started(db):
    """The logins were printed twice: by the seeding and again at the end; then the web
    server's and the worker's start-up output pushed them off the screen (issue 21). The
    seeding prints none; Procfile.demo prints them once the web server answers."""
    import pathlib
    import re
    import shlex
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("seed_demo", "--no-logins", stdout=out)
    assert "Demo organisation ready" in out.getvalue()
    assert "demo1234" not in out.getvalue()

    root = pathlib.Path(__file__).resolve().parents[2]
    recipe = re.search(r"^demo: install\n((?:\t.*\n)+)", (root / "Makefile").read_text(), re.M)
    seeding = [line for line in recipe.group(1).splitlines() if "seed_demo" in line]
    assert seeding and all("--no-logins" in line for line in seeding)
    assert "honcho -f Procfile.demo" in recipe.group(1).splitlines()[-1]
    processes = dict(
        line.split(":", 1) for line in (root / "Procfile.demo").read_text().splitlines()
        if line and not line.startswith("#")
    )  # fmt: skip
    banner = shlex.split(processes["banner"])
    assert "--logins-only" in banner and "--when-ready" in banner
    # It stays up after printing: honcho stops every process when one of them ends.
    assert processes["banner"].rstrip().endswith("exec sleep infinity")
    # The worker's start-up banner and a line per heartbeat would push the logins off again.
    assert "--quiet" in processes["worker"] and "--loglevel=WARNING" in processes["worker"]


def test_the_banner_waits_for_the_web_server_then_says_where_to_go_and_where_the_mail_is(
    live_server, settings, tmp_path
):
    from io import StringIO

    from django.core.management import call_command

    settings.EMAIL_BACKEND = "qms.core.mail_files.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    out = StringIO()
    call_command("seed_demo", "--logins-only", "--when-ready", live_server.url + "/", stdout=out)
    text = out.getvalue()
    assert f"The demo is running: open {live_server.url}/" in text
    assert "executive" in text and "demo1234" in text
    assert f"written to {tmp_path / 'mail'}/, one file each" in text
    assert text.index("The demo is running") < text.index("demo1234")


def test_the_banner_says_so_when_the_web_server_never_answers(db):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    # Port 9 (discard): nothing listens there on a test machine.
    call_command(
        "seed_demo", "--logins-only", "--when-ready", "http://127.0.0.1:9/", "--wait", "0",
        stdout=out,
    )  # fmt: skip
    assert "has not answered at http://127.0.0.1:9/" in out.getvalue()
    assert "demo1234" in out.getvalue()
