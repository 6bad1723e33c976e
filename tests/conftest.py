"""Fixtures every test can use: a standing cast of users per role in two organisations."""

import datetime
import os
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.utils import timezone

from qms.core.roles import Role
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory, make_unit
from tests.subprocesses import build_migrated_template, copy_database

# Playwright's sync API runs an event loop in the test thread; the live server's database
# access happens in its own thread, so Django's async-safety check does not apply here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_xdist_auto_num_workers(config):
    """`-n auto` on a machine with many cores: no more workers than Redis has databases left
    above REDIS_URL's (tests/settings.py gives each worker its own), instead of the extra
    workers failing at start-up."""
    cores = os.cpu_count() or 1
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        return cores
    from tests.settings import REDIS_DATABASES

    base = int(urlsplit(redis_url).path.strip("/") or 0)
    return max(1, min(cores, REDIS_DATABASES - base))


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(config, items):
    """Tests marked postgres/redis run only where those services are configured (CI sets both);
    elsewhere they are reported as skipped, with the reason. Tests that start a real Celery
    worker share one pytest-xdist group: they run one after another on one test worker (each
    loads a core on its own), while the other workers go on with the rest of the suite."""
    _refuse_duplicate_ids(items)
    redis_url = os.environ.get("REDIS_URL")
    database_url = os.environ.get("DATABASE_URL", "")
    on_postgres = database_url.startswith(("postgres://", "postgresql://", "pgsql://"))
    for item in items:
        if "real_worker" in item.keywords:
            item.add_marker(pytest.mark.xdist_group("real-worker"))
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(pytest.mark.skip(reason="needs DATABASE_URL=postgres://..."))
        if "redis" in item.keywords and not redis_url:
            item.add_marker(pytest.mark.skip(reason="needs REDIS_URL=redis://..."))


def _refuse_duplicate_ids(items) -> None:
    """pytest-xdist hands tests to its workers by id: two tests with one id would run as one,
    silently (it happened to the API fuzzing's operations with pytest 9.2)."""
    seen: dict[str, int] = {}
    for item in items:
        seen[item.nodeid] = seen.get(item.nodeid, 0) + 1
    duplicated = sorted(nodeid for nodeid, count in seen.items() if count > 1)
    if duplicated:
        raise pytest.UsageError(
            f"{len(duplicated)} test ids are shared by several tests, so pytest-xdist would run "
            f"only one of each: {duplicated[:5]}"
        )


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory) -> Path:
    """A SQLite file built by `manage.py migrate`, made once for the whole run: pytest-xdist's
    workers share the parent of their temporary folders."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    return build_migrated_template(root / "migrated.sqlite3")


@pytest.fixture
def migrated_database(migrated_template, tmp_path) -> Path:
    """A SQLite database of this test's own, as `manage.py migrate` leaves it."""
    return copy_database(migrated_template, tmp_path / "qms.sqlite3")


@pytest.fixture
def org_a(db):
    org = OrganizationFactory(name="Acme Test Ltd", slug="acme-test")
    root = make_unit(org, "Acme Test Ltd", kind="company", code="A")
    make_unit(org, "Plant One", parent=root, kind="site", code="A1")
    return org


@pytest.fixture
def org_b(db):
    org = OrganizationFactory(name="Beta Rival plc", slug="beta-rival")
    make_unit(org, "Beta HQ", kind="company", code="B")
    return org


@pytest.fixture
def cast(org_a, org_b):
    """alice (executive), quinn (quality manager), carl (contributor), audrey (auditor, access
    current), eddie (auditor, expired), adam (admin) in organisation A; bob is only in B."""

    def member(username, role, org=org_a, **kwargs):
        user = UserFactory(username=username, first_name=username.capitalize(), last_name="Test")
        return MembershipFactory(user=user, organization=org, role=role, **kwargs).user

    today = timezone.localdate()
    return SimpleNamespace(
        org_a=org_a,
        org_b=org_b,
        alice=member("alice", Role.EXECUTIVE),
        quinn=member("quinn", Role.QUALITY_MANAGER),
        carl=member("carl", Role.CONTRIBUTOR),
        audrey=member(
            "audrey", Role.AUDITOR, access_expires_on=today + datetime.timedelta(days=10)
        ),
        eddie=member("eddie", Role.AUDITOR, access_expires_on=today - datetime.timedelta(days=1)),
        adam=member("adam", Role.ADMIN),
        bob=member("bob", Role.QUALITY_MANAGER, org=org_b),
    )


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def on_postgres(db):
    return connection.vendor == "postgresql"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counters and lockouts live in the cache; each test starts with none."""
    from django.core.cache import cache

    from qms.core.api.tokens import FALLBACK_CACHE

    cache.clear()
    FALLBACK_CACHE.clear()  # the token throttle's counts while the cache is unreachable
    yield
