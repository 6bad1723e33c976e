"""docker-compose.yml cannot run here (no Docker engine); check its structure instead."""

from pathlib import Path

import yaml

BASE_DIR = Path(__file__).resolve().parents[1]


def compose():
    return yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())


def test_compose_runs_web_worker_beat_postgres_and_redis():
    assert set(compose()["services"]) == {"web", "worker", "beat", "db", "redis"}


def test_every_service_has_a_health_check():
    for name, service in compose()["services"].items():
        assert "healthcheck" in service, name


def test_app_services_wait_for_healthy_database_and_redis():
    services = compose()["services"]
    for name in ("web", "worker", "beat"):
        depends = services[name]["depends_on"]
        assert depends["db"]["condition"] == "service_healthy", name
        assert depends["redis"]["condition"] == "service_healthy", name
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["REDIS_URL"].startswith("redis://")


def test_database_keeps_its_data_in_a_volume():
    data = compose()
    volume_names = set(data["volumes"])
    mounts = [m.split(":")[0] for m in data["services"]["db"]["volumes"]]
    assert any(m in volume_names for m in mounts)


def test_web_runs_gunicorn_and_beat_uses_the_database_scheduler():
    services = compose()["services"]
    assert "gunicorn" in " ".join(services["web"]["command"])
    assert "DatabaseScheduler" in " ".join(services["beat"]["command"])
    dockerfile = (BASE_DIR / "Dockerfile").read_text()
    assert "collectstatic" in dockerfile
    assert "USER" in dockerfile  # not root
