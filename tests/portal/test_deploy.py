"""Production settings: check --deploy is clean, secrets are required, the compose file is valid."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "False",
    "SECRET_KEY": "x8Yq2-production-like-secret-key-for-the-test-5QmZ0vK7rT3wN9pL1cB6",
    "ALLOWED_HOSTS": "portal.example.edu.vn",
}


def manage(*args, env):
    dropped = ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE")
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_variables():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_refuses_to_start_in_production_without_a_secret_key():
    env = {**PRODUCTION, "SECRET_KEY": ""}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_it_refuses_to_start_in_production_without_allowed_hosts():
    env = {**PRODUCTION, "ALLOWED_HOSTS": ""}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set" in result.stderr


def test_a_bare_checkout_runs_the_developers_commands():
    """No DEBUG, no SECRET_KEY, no .env: a developer's `manage.py check` works (DEBUG on)."""
    result = manage("check", env={})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_migrations_are_in_step_with_the_models():
    # A developer's command: DEBUG is off unless said (issue 10 §11), as make says it.
    result = manage("makemigrations", "--check", "--dry-run", env={"DEBUG": "True"})
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_web_serves_with_gunicorn_behind_readyz(compose):
    # The service set, ports, migrations and health checks: tests/portal/test_stack.py.
    web = compose["services"]["web"]
    assert "gunicorn" in web["command"] and "migrate" not in web["command"]
    assert "/readyz" in " ".join(web["healthcheck"]["test"])
    assert web["environment"]["DEBUG"] == "False"
    assert web["environment"]["REDIS_URL"].startswith("redis://redis:")
    assert web["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_compose_worker_and_beat_run_celery_against_redis(compose):
    for name, role in (("worker", "worker"), ("beat", "beat")):
        service = compose["services"][name]
        assert service["command"][:4] == ["celery", "-A", "portal", role]
        assert service["environment"]["REDIS_URL"].startswith("redis://redis:")
        assert service["environment"]["DEBUG"] == "False"


def test_the_dockerfile_builds_the_image_compose_uses():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert dockerfile.startswith("#") and "FROM python:3.11" in dockerfile
    assert "collectstatic" in dockerfile and "USER portal" in dockerfile


def test_the_sso_profile_runs_keycloak_with_the_realm_of_the_repo(compose):
    keycloak = compose["services"]["keycloak"]
    assert keycloak["profiles"] == ["sso"]
    assert "--import-realm" in keycloak["command"]
    mount = next(v for v in keycloak["volumes"] if "keycloak-realm.json" in v)
    realm = json.loads((ROOT / mount.split(":")[0]).read_text())
    client = next(c for c in realm["clients"] if c["clientId"] == "office-portal")
    assert client["attributes"]["pkce.code.challenge.method"] == "S256"
    assert "http://localhost:8000/oidc/callback/" in client["redirectUris"]
    assert {g["name"] for g in realm["groups"]} >= {"mtt-office", "directory-admins"}
