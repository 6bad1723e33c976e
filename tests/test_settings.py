"""Configuration from the environment: production refuses unsafe defaults, SQLite is set up for
a web server and a worker sharing one file."""

from tests.subprocesses import manage, product_env


def run_manage(args, **env):
    """manage.py in a fresh process; the demo's DEBUG=True unless the test gives DEBUG (None:
    not set at all)."""
    return manage(args, product_env(**{"DEBUG": "True", **env}), timeout=120)


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage(["check"], DEBUG="False", ALLOWED_HOSTS="qms.example.com")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_without_debug_set_it_is_production_and_says_how_to_run_the_demo():
    result = run_manage(["check"], DEBUG=None)
    assert result.returncode != 0
    assert "must be set when DEBUG is off" in result.stderr
    assert "make demo" in result.stderr


def test_the_test_suite_starts_from_the_demo_settings():
    code = "from django.conf import settings; print(settings.DEBUG)"
    result = run_manage(["shell", "-v", "0", "-c", code], DEBUG=None, QMS_TESTING="1")
    assert result.stdout.strip() == "True", result.stderr


def test_deploy_check_is_clean_with_production_settings(tmp_path):
    result = run_manage(
        ["check", "--deploy", "--fail-level", "WARNING"],
        DEBUG="False",
        SECRET_KEY="p" * 20 + "r0duct10n-s3cret-key-that-is-long-and-random-enough-9x",
        ALLOWED_HOSTS="qms.example.com",
        QMS_DATA_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_sqlite_uses_wal_and_waits_for_locks(tmp_path):
    code = (
        "from django.db import connection\n"
        "c = connection.cursor()\n"
        "print(c.execute('PRAGMA journal_mode').fetchone()[0], "
        "c.execute('PRAGMA busy_timeout').fetchone()[0])"
    )
    result = run_manage(
        ["shell", "-v", "0", "-c", code], DATABASE_URL=f"sqlite:///{tmp_path}/x.sqlite3"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wal", "30000"]


def test_redis_url_switches_broker_results_and_cache():
    code = (
        "from django.conf import settings\n"
        "print(settings.CELERY_BROKER_URL, settings.CELERY_RESULT_BACKEND, "
        "settings.CACHES['default']['BACKEND'])"
    )
    result = run_manage(["shell", "-v", "0", "-c", code], REDIS_URL="redis://127.0.0.1:6379/3")
    assert result.stdout.split() == [
        "redis://127.0.0.1:6379/3",
        "redis://127.0.0.1:6379/3",
        "django_redis.cache.RedisCache",
    ]


def test_embedded_default_needs_no_broker_server():
    code = (
        "from django.conf import settings\n"
        "print(settings.CELERY_BROKER_URL, settings.CELERY_RESULT_BACKEND)"
    )
    result = run_manage(["shell", "-v", "0", "-c", code])
    assert result.stdout.split() == ["filesystem://", "django-db"]


def test_trusted_proxies_come_from_the_environment_and_default_to_none():
    code = (
        "from django.conf import settings\n"
        "print(settings.TRUSTED_PROXY_COUNT, settings.REST_FRAMEWORK['NUM_PROXIES'])"
    )
    default = run_manage(["shell", "-v", "0", "-c", code])
    assert default.stdout.split() == ["0", "0"], default.stderr
    behind_two = run_manage(["shell", "-v", "0", "-c", code], TRUSTED_PROXY_COUNT="2")
    assert behind_two.stdout.split() == ["2", "2"], behind_two.stderr
    negative = run_manage(["check"], TRUSTED_PROXY_COUNT="-1")
    assert negative.returncode != 0
    assert "set it to the number of reverse proxies" in negative.stderr


def test_the_demo_writes_its_e_mails_to_files_not_the_console(tmp_path):
    """`make demo` used to print about a thousand reminder e-mails between its logins and its
    first page; production (DEBUG off) still sends through SMTP."""
    code = (
        "from django.conf import settings\nprint(settings.EMAIL_BACKEND, settings.EMAIL_FILE_PATH)"
    )
    result = run_manage(["shell", "-v", "0", "-c", code], QMS_DATA_DIR=str(tmp_path))
    assert result.stdout.split() == [
        "qms.core.mail_files.EmailBackend",
        str(tmp_path / "mail"),
    ], result.stderr
