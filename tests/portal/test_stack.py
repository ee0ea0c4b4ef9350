"""The production stack without containers (scripts/stack.sh): nginx from the repo's template in
front of two gunicorn replicas, a Celery worker and beat, on PostgreSQL and Redis.

The smoke tests start the real stack once for the module, on free ports, on a database of its
own, under var/, and stop it at the end. The compose tests read docker-compose.yml and check it
describes the same stack as the script.
"""

import json
import os
import re
import socket
import threading
import uuid
from collections import Counter
from pathlib import Path

import pytest
import yaml

from portal.management.commands import proxy_error_pages
from tests.stack import CLIENT_ADDRESS, ROOT, STACK, running_stack, stack_sh

TEMPLATE = ROOT / "scripts" / "nginx.conf.template"


@pytest.fixture(scope="module")
def stack():
    with running_stack() as running:
        yield running


# --- Through the proxy ---------------------------------------------------------------------


def test_requests_through_nginx_reach_both_replicas(stack):
    replicas = [stack.request("GET", "/healthz")[0].getheader("X-Portal-Replica") for _ in range(6)]
    assert set(replicas) == {"web1", "web2"}, replicas


def test_healthz_answers_through_the_proxy(stack):
    response, body = stack.request("GET", "/healthz")
    assert response.status == 200
    assert json.loads(body) == {
        "status": "ok",
        "checks": {"database": "ok", "broker": "ok"},
        "failing": [],
    }


def test_a_page_renders_through_the_proxy_with_its_static_files(stack):
    response, body = stack.request("GET", "/", headers={"Accept-Language": "vi"})
    assert response.status == 200
    page = body.decode()
    assert 'lang="vi"' in page
    stylesheet = re.search(r'href="(/static/[^"]+\.css)"', page).group(1)
    css, _ = stack.request("GET", stylesheet)
    assert css.status == 200 and css.getheader("Content-Type").startswith("text/css")


def test_the_portal_logs_the_clients_address_not_the_proxys(stack):
    probe = uuid.uuid4().hex
    # A client cannot pass itself off as someone else: what it writes in X-Forwarded-For is
    # not believed, only the address nginx saw.
    response, _ = stack.request(
        "GET", f"/healthz?probe={probe}", headers={"X-Forwarded-For": "203.0.113.9"}
    )
    assert response.status == 200
    lines = stack.log_lines("web*.access.log", probe)
    assert len(lines) == 1, lines
    assert lines[0].split()[0] == CLIENT_ADDRESS
    # nginx's own log saw the same client: the replica did not just echo a header.
    assert stack.log_lines("nginx.access.log", probe)[0].split()[0] == CLIENT_ADDRESS


def test_no_access_log_keeps_a_secret_link(stack):
    # A tracking link is its recipient's secret: neither nginx nor gunicorn writes it down,
    # not in the request line and not in the Referer of the next page.
    token, referer_token = uuid.uuid4().hex, uuid.uuid4().hex
    response, _ = stack.request(
        "GET",
        f"/accounts/track/{token}/?probe={token[:8]}",
        headers={"Referer": f"http://127.0.0.1/accounts/track/{referer_token}/"},
    )
    assert response.status in (404, 410)
    for log in ("nginx.access.log", "web*.access.log"):
        lines = stack.log_lines(log, token[:8])
        assert lines, log
        assert all(token not in line and referer_token not in line for line in lines), lines
        assert all("/accounts/track/[redacted]/" in line for line in lines), lines


def _multipart(size: int) -> tuple[bytes, dict]:
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="danh-sach.csv"\r\nContent-Type: text/csv\r\n\r\n'
        ).encode()
        + b"a" * size
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def test_an_upload_over_the_limit_is_refused_by_nginx_with_the_friendly_page(stack):
    body, headers = _multipart(12 * 1024 * 1024)
    response, page = stack.request("POST", "/accounts/bulk/", body=body, headers=headers)
    assert response.status == 413
    assert response.getheader("X-Portal-Replica") is None  # no replica was bothered
    assert response.getheader("Content-Type").startswith("text/html")
    text = page.decode()
    assert "Tệp quá lớn" in text and "The file is too large" in text
    assert "10 MB" in text


def test_an_upload_of_the_largest_accepted_size_reaches_the_portal(stack):
    body, headers = _multipart(proxy_error_pages.max_upload_mb() * 1024 * 1024 + 1)
    response, _ = stack.request("POST", "/accounts/bulk/", body=body, headers=headers)
    # The portal answered (here: the CSRF check refuses a form without its token), not nginx.
    assert response.getheader("X-Portal-Replica") in {"web1", "web2"}
    assert response.status == 403


def test_uploaded_files_are_not_served_by_the_proxy_directly(stack):
    media = stack.dir / "media"
    (media / "minutes").mkdir(parents=True, exist_ok=True)
    (media / "minutes" / "bien-ban.pdf").write_bytes(b"%PDF-1.4 secret minutes")
    for path in ("/protected-media/minutes/bien-ban.pdf", "/media/minutes/bien-ban.pdf"):
        response, body = stack.request("GET", path)
        assert response.status == 404, path
        assert b"secret minutes" not in body


PASSWORD = "stack-smoke-password-4K"
EVIDENCE = b"%PDF-1.4 bien ban doi thoai cap truong"
# A milestone's evidence (plan 4402/KH-ĐHM): the committee may read it, a learner may not.
CREATE_EVIDENCE = f"""
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from dialogue.demo import load_plan
from portal.downloads import download_url
from portal.models import User
plan, _ = load_plan()
milestone = plan.milestones.order_by("position").first()
milestone.evidence_file.save("bang-chung.pdf", ContentFile({EVIDENCE!r}))
for name, role in (("bantochuc", "dialogue_committee"), ("sinhvien", "learner")):
    user = User.objects.create_user(name, password="{PASSWORD}")
    user.groups.add(Group.objects.get(name=role))
print(download_url(milestone, "evidence_file"))
"""


def test_a_protected_file_comes_through_nginx_for_its_reader_and_no_one_else(stack):
    url = stack.manage("shell", "-c", CREATE_EVIDENCE).split()[-1]
    reader = stack.login("bantochuc", PASSWORD)
    response, body = stack.request("GET", url, headers={"Cookie": reader})
    assert response.status == 200
    # The replica answered with X-Accel-Redirect and no body; nginx sent the file.
    assert body == EVIDENCE
    assert response.getheader("X-Accel-Redirect") is None
    assert response.getheader("Content-Disposition").startswith("attachment")
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    # The type the portal found when it checked the upload's content, not one nginx guesses.
    assert response.getheader("Content-Type") == "application/pdf"

    learner = stack.login("sinhvien", PASSWORD)
    response, body = stack.request("GET", url, headers={"Cookie": learner})
    assert response.status == 404 and EVIDENCE not in body
    response, body = stack.request("GET", url)  # nobody logged in
    assert response.status in (302, 404) and EVIDENCE not in body


# --- The script ------------------------------------------------------------------------------


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie has exited; only its parent has not looked yet


def test_status_lists_every_process_it_runs(stack):
    result = stack_sh("status", env=stack.env)
    assert result.returncode == 0, result.stdout + result.stderr
    running = {line.split()[0] for line in result.stdout.splitlines() if "running" in line}
    assert running == {"nginx", "web1", "web2", "worker", "beat"}
    assert "healthz 200" in result.stdout


def test_a_rollout_replaces_every_process_while_every_request_is_answered(stack):
    before = stack.pids()
    answers, done = [], threading.Event()

    def keep_asking():
        while not done.is_set():
            try:
                response, _ = stack.request("GET", "/healthz")
                answers.append(response.status)
            except OSError as exc:
                answers.append(type(exc).__name__)

    client = threading.Thread(target=keep_asking)
    client.start()
    try:
        result = stack_sh("rollout", env=stack.env)
    finally:
        done.set()
        client.join()
    assert result.returncode == 0, result.stdout + result.stderr + stack.logs_tail()
    after = stack.pids()
    replaced = {name for name in before if after.get(name) != before[name]}
    assert replaced == {"web1", "web2", "worker", "beat"}  # nginx kept every connection
    assert len(answers) > 20 and Counter(answers) == {200: len(answers)}, Counter(answers)


def test_stop_stops_every_process_it_started(stack):
    pids = stack.pids()
    assert set(pids) == {"nginx", "web1", "web2", "worker", "beat"}
    result = stack_sh("stop", env=stack.env)
    assert result.returncode == 0, result.stderr
    still_running = [name for name, pid in pids.items() if _alive(pid)]
    assert still_running == []
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", stack.port)) != 0  # nothing listens any more
    assert stack_sh("status", env=stack.env).returncode == 3


# --- docker-compose.yml describes the same stack ------------------------------------------------


@pytest.fixture(scope="module")
def compose():
    """docker-compose.yml's default services (optional profiles, e.g. the sso demo, left out)."""
    spec = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    spec["services"] = {
        name: service for name, service in spec["services"].items() if not service.get("profiles")
    }
    return spec


@pytest.fixture(scope="module")
def script_services():
    result = stack_sh("services", env=dict(os.environ), timeout=30)
    assert result.returncode == 0, result.stderr
    return {
        name: {"count": int(count), "kind": kind}
        for name, count, kind, *_ in (line.split() for line in result.stdout.splitlines())
    }


def test_compose_and_the_script_run_the_same_services(compose, script_services):
    assert set(compose["services"]) == set(script_services)


def test_only_nginx_publishes_a_port(compose):
    publishing = [name for name, service in compose["services"].items() if service.get("ports")]
    assert publishing == ["nginx"]
    assert compose["services"]["nginx"]["ports"] == ["443:443"]  # one port: HTTPS


def test_every_long_running_service_has_a_health_check(compose, script_services):
    for name, service in compose["services"].items():
        if script_services[name]["kind"] == "once":
            assert "healthcheck" not in service and service["restart"] == "no", name
        else:
            assert "healthcheck" in service, f"{name} has no health check"


def test_there_is_one_beat(compose, script_services):
    beat = compose["services"]["beat"]
    assert beat.get("deploy", {}).get("replicas", 1) == 1 and "scale" not in beat
    assert script_services["beat"]["count"] == 1
    beats = [s for s in compose["services"].values() if "beat" in str(s.get("command", ""))]
    assert len(beats) == 1


def test_migrations_run_once_before_the_portal_starts(compose):
    services = compose["services"]
    assert "migrate" in " ".join(services["migrate"]["command"])
    for name in ("web", "worker", "beat"):
        assert "migrate" not in str(services[name].get("command", "")), name
        condition = services[name]["depends_on"]["migrate"]["condition"]
        assert condition == "service_completed_successfully", name


def test_compose_nginx_renders_the_same_template_as_the_script(compose):
    nginx = compose["services"]["nginx"]
    mounts = {v.split(":")[0]: v.split(":")[1] for v in nginx["volumes"]}
    assert mounts["./scripts/nginx.conf.template"] == "/etc/nginx/templates/default.conf.template"
    needed = set(re.findall(r"\$\{([A-Z_]+)\}", TEMPLATE.read_text()))
    assert needed <= set(nginx["environment"]), needed - set(nginx["environment"])
    script = STACK.read_text()
    assert all(f"${{{name}}}" in script for name in needed)
    # The portal and nginx agree on the protected files' prefix and trust exactly one proxy.
    web = compose["services"]["web"]["environment"]
    accel = nginx["environment"]["PROTECTED_MEDIA_ACCEL_PREFIX"]
    assert web["PROTECTED_MEDIA_ACCEL_PREFIX"] == accel
    assert str(web["TRUSTED_PROXY_COUNT"]) == "1"


# --- nginx's limits and pages match the portal -------------------------------------------------


def test_nginx_takes_the_largest_upload_the_portal_accepts():
    from accounts import tabular
    from portal import uploads

    limit = re.search(r"client_max_body_size (\d+)m;", TEMPLATE.read_text()).group(1)
    largest = max(uploads.max_bytes(), tabular.max_bytes())
    assert largest == proxy_error_pages.max_upload_mb() * 1024 * 1024  # what the 413 page says
    assert int(limit) * 1024 * 1024 > largest


@pytest.mark.parametrize("status", proxy_error_pages.STATUSES)
def test_the_error_pages_nginx_serves_are_up_to_date(status):
    committed = (ROOT / "static" / "errors" / f"{status}.html").read_text(encoding="utf-8")
    assert committed == proxy_error_pages.render_page(status), (
        "stale: run python manage.py proxy_error_pages"
    )
