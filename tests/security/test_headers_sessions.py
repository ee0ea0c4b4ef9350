"""Finding 11: a Content-Security-Policy without inline script, sessions that end, DEBUG off
unless asked for, a configurable admin path."""

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.urls import reverse

from portal.sessions import SEEN, STARTED
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


@pytest.mark.parametrize("path", ["/", "/login/", "/accounts/apply/student/", "/dialogue/answers/"])
def test_pages_carry_a_policy_that_forbids_inline_script(client, path):
    response = client.get(path)
    assert response.status_code == 200
    policy = directives(response)
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    # …and the pages need none: every script is a file of ours.
    scripts = re.findall(r"<script\b[^>]*>", response.content.decode())
    assert scripts and all('src="/static/' in tag for tag in scripts)


def test_no_template_has_an_inline_script_or_event_handler():
    offenders = []
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag:
                offenders.append(f"{template}: {tag}")
        offenders += [f"{template}: {m}" for m in re.findall(r"\son[a-z]+=\"", text)]
        offenders += [f"{template}: javascript:" for _ in re.findall(r"javascript:", text)]
    assert offenders == []


def logged_in(client, make_user):
    user = make_user("mtt_office")
    client.post(reverse("login"), {"username": user.username, "password": TEST_PASSWORD})
    assert client.get(reverse("portal:dashboard")).status_code == 200
    return user


def age_session(client, **seconds_ago):
    session = client.session
    now = int(time.time())
    for key, ago in seconds_ago.items():
        session[{"seen": SEEN, "started": STARTED}[key]] = now - ago
    session.save()


def test_a_session_ends_after_the_idle_time(client, make_user, settings):
    settings.SESSION_IDLE_MINUTES = 30
    logged_in(client, make_user)
    age_session(client, seen=29 * 60)
    assert client.get(reverse("portal:dashboard")).status_code == 200
    age_session(client, seen=31 * 60)
    response = client.get(reverse("portal:dashboard"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert "_auth_user_id" not in client.session
    page = client.get(response.url).content.decode()
    assert "Phiên làm việc đã kết thúc" in page


def test_a_busy_session_still_ends_after_its_lifetime(client, make_user, settings):
    settings.SESSION_MAX_HOURS = 10
    logged_in(client, make_user)
    age_session(client, seen=10, started=10 * 3600 + 60)
    response = client.get(reverse("portal:dashboard"))
    assert response.status_code == 302 and "_auth_user_id" not in client.session


def run_python(code: str, **env):
    dropped = ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "ADMIN_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "portal.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "SECRET_KEY": "x8Yq2-production-like-secret-key-for-the-test-5QmZ0vK7rT3wN9pL1cB6",
    "ALLOWED_HOSTS": "portal.example.edu.vn",
}


def test_debug_is_off_unless_it_is_turned_on():
    result = run_python("from django.conf import settings; print(settings.DEBUG)", **PRODUCTION)
    assert result.stdout.strip() == "False", result.stderr
    on = run_python("from django.conf import settings; print(settings.DEBUG)", DEBUG="True")
    assert on.stdout.strip() == "True", on.stderr


def test_the_admin_path_comes_from_the_environment():
    code = "from django.urls import reverse; print(reverse('admin:index'))"
    moved = run_python(code, ADMIN_URL="quan-tri-7f3k/", **PRODUCTION)
    assert moved.stdout.strip() == "/quan-tri-7f3k/", moved.stderr
    assert run_python(code, **PRODUCTION).stdout.strip() == "/admin/"
