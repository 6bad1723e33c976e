"""The migrations build the schema the tests run on.

A deployment's tables come from `manage.py migrate`; the suite's come straight from the models
(pytest-django's --nomigrations: about a second per test worker instead of ~50 s). These tests
make that safe: no model change lacks its migration, and migrating an empty database, on the
database the suite runs on (SQLite, or PostgreSQL in CI's second pass), gives table by table the
columns, constraints and indexes the tests ran on.
"""

import json
import os
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection

from tests.schema import differences, schema
from tests.subprocesses import copy_database, manage, product_env

# Django's own, not ours: on PostgreSQL, django.contrib.auth's migrations give its three
# many-to-many tables a bigint id (the project's DEFAULT_AUTO_FIELD when they are applied), while
# its models say int (AuthConfig.default_auto_field). A deployment has the wider one.
DJANGO_AUTH_M2M_IDS = frozenset(
    {"auth_group_permissions.id", "auth_user_groups.id", "auth_user_user_permissions.id"}
)
DUMP = "import json; from django.db import connection; from tests.schema import schema; " \
    "print('SCHEMA' + json.dumps(schema(connection)))"  # fmt: skip


def test_every_model_change_has_its_migration(tmp_path):
    env = product_env(
        DEBUG="True", QMS_DATA_DIR=str(tmp_path), DATABASE_URL=f"sqlite:///{tmp_path}/x.sqlite3"
    )
    result = manage(["makemigrations", "--check", "--dry-run"], env)
    assert result.returncode == 0, result.stdout + result.stderr


def _migrated_schema(env: dict) -> dict:
    dumped = manage(["shell", "-v", "0", "-c", DUMP], env)
    assert dumped.returncode == 0, dumped.stderr[-3000:]
    line = next(x for x in dumped.stdout.splitlines() if x.startswith("SCHEMA"))
    return json.loads(line.removeprefix("SCHEMA"))


@pytest.fixture
def migrated_database_url(migrated_template, tmp_path):
    """An empty database of the kind the suite runs on, migrated by `manage.py migrate`."""
    if connection.vendor == "sqlite":  # the run's migrated template is exactly that
        yield f"sqlite:///{copy_database(migrated_template, tmp_path / 'qms.sqlite3')}"
        return
    import psycopg2

    settings = connection.settings_dict
    name = f"{settings['NAME']}_migrated"
    server = {k.lower(): settings[k] for k in ("HOST", "PORT", "USER", "PASSWORD") if settings[k]}
    admin = psycopg2.connect(dbname="postgres", **server)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    url = urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}"))
    try:
        env = product_env(DEBUG="True", QMS_DATA_DIR=str(tmp_path), DATABASE_URL=url)
        migrated = manage(["migrate", "--noinput", "-v", "0"], env, timeout=600)
        assert migrated.returncode == 0, migrated.stderr[-3000:]
        yield url
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()


@pytest.mark.django_db
def test_migrating_an_empty_database_builds_the_schema_the_tests_run_on(
    migrated_database_url, tmp_path
):
    env = product_env(DEBUG="True", QMS_DATA_DIR=str(tmp_path), DATABASE_URL=migrated_database_url)
    migrated = _migrated_schema(env)
    ours = schema(connection)
    assert len(ours) > 100  # every app's tables, the history tables among them
    found = differences(ours, migrated, ignore_columns=DJANGO_AUTH_M2M_IDS)
    assert not found, "\n".join(found)
