"""axe-core over every page each role reaches, in both languages, at 1280 px and on a phone.

The pages come from the permission matrix (tests/security/permission_matrix.yaml) on the demo
data: every URL pattern a role may GET that answers 200 with HTML, with the objects the matrix
test picks. A page that shows a role what another role sees (the same elements in <main>) is
checked once. axe-core is vendored (tests/e2e/vendor/axe.min.js, from the npm package axe-core,
MPL-2.0) and runs with its default rules: a serious or critical violation fails the test. Each run's
result is saved to var/axe/<page>-<width>-<lang>.json (git-ignored).
"""

import hashlib
import json
import os
import re
import time
from collections import Counter
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from tests.e2e.conftest import SCREENSHOTS
from tests.security.test_permission_matrix import (
    ANONYMOUS,
    TABLE,
    _build_url,
    _objects,
    _row_for,
    identities,
    url_patterns,
)

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(__file__).with_name("vendor") / "axe.min.js"
RESULTS = Path(__file__).resolve().parents[2] / "var" / "axe"
WIDTHS = {"1280": {"width": 1280, "height": 860}, "390": {"width": 390, "height": 844}}
LANGUAGES = ("vi", "en")
BLOCKING = ("serious", "critical")

# The main pages, shot in English beside the Vietnamese shots of the flow tests (docs/screenshots/
# <name>-en.png, at 1280 px, from the demo data).
SHOTS = {
    "portal:home": "home",
    "portal:dashboard": "my-work",
    "accounts:index": "accounts-index",
    "accounts:apply": "accounts-apply",
    "accounts:queue": "accounts-queue",
    "accounts:technician": "accounts-technician",
    "office:unit": "office-card",
    "office:search": "office-search",
    "office:chart": "office-chart",
    "dialogue:plan": "dialogue-plan",
    "dialogue:answers": "dialogue-answers",
    "dialogue:university": "dialogue-university",
}

# Pages that are not the portal's own HTML: Django's admin (its own templates and styles).
NOT_OURS = ("admin:",)


def _shape(html: str) -> str:
    """The shape of the page's <main>: its elements with their classes and roles, without the
    text. Two roles shown the same shape of a page (the same table, other rows) are checked once."""
    match = re.search(r"<main\b.*?</main>", html, re.S)
    body = match.group(0) if match else html
    tags = re.findall(r"<(\w+)([^>]*)>", body)
    return "".join(f"<{tag} {' '.join(KEPT.findall(attrs))}>" for tag, attrs in tags)


KEPT = re.compile(r'(?:class|role|aria-[a-z]+|type)="[^"]*"')


def pages_by_role() -> dict[str, list[tuple[str, str]]]:
    """role → [(page name, url)] to check: every page each role reaches, once per distinct view."""
    table = yaml.safe_load(TABLE.read_text())
    who = identities()
    User = get_user_model()
    clients = {ANONYMOUS: Client()}
    for role, username in who.items():
        clients[role] = Client()
        clients[role].force_login(User.objects.get(username=username))
    objects = _objects()
    seen, plan = set(), {}
    for name, route, _view in url_patterns():
        row = _row_for(table, name)
        if name.startswith(NOT_OURS) or name.startswith("^") or row.get("post_only"):
            continue
        allow = set(row.get("allow", []))
        if not allow:
            continue
        url = _build_url(name, route, row, objects)
        for role, client in clients.items():
            if not (
                role in allow or "everyone" in allow or ("signed_in" in allow and role != ANONYMOUS)
            ):
                continue
            response = client.get(url)
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            shape = _shape(response.content.decode())
            key = (name, hashlib.sha256(shape.encode()).hexdigest())
            if key in seen:
                continue
            seen.add(key)
            plan.setdefault(role, []).append((name, url))
    return plan


def _session_cookie(username, base_url):
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    value = client.cookies[settings.SESSION_COOKIE_NAME].value
    return {"name": settings.SESSION_COOKIE_NAME, "value": value, "url": base_url}


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")


def run_axe(page) -> dict:
    return page.evaluate(
        "async () => { const r = await axe.run(document, {resultTypes: ['violations']});"
        " return {url: r.url, testEngine: r.testEngine, violations: r.violations}; }"
    )


def blocking(result: dict) -> list[str]:
    found = []
    for v in result["violations"]:
        if v["impact"] in BLOCKING:
            targets = [" ".join(map(str, n["target"])) for n in v["nodes"][:3]]
            found.append(f"{v['id']} ({v['impact']}, {len(v['nodes'])}×): {targets}")
    return found


def test_every_page_of_every_role_passes_axe_in_both_languages_and_widths(
    browser, live_server, capsys
):
    call_command("loaddemo", force=True, stdout=open(os.devnull, "w"))  # noqa: SIM115
    started = time.monotonic()
    plan = pages_by_role()
    planned = time.monotonic()
    who = identities()
    RESULTS.mkdir(parents=True, exist_ok=True)
    axe_source = AXE.read_text()
    failures, runs, views, shot, impacts = [], 0, 0, set(), Counter()
    for role, pages in plan.items():
        for lang in LANGUAGES:
            context = browser.new_context(base_url=live_server.url, viewport=WIDTHS["1280"])
            context.set_default_timeout(15_000)
            cookies = [{"name": "django_language", "value": lang, "url": live_server.url}]
            if role != ANONYMOUS:
                cookies.append(_session_cookie(who[role], live_server.url))
            context.add_cookies(cookies)
            context.add_init_script(script=axe_source)
            page = context.new_page()
            for name, url in pages:
                views += 1
                page.set_viewport_size(WIDTHS["1280"])
                page.goto(url)
                assert page.locator("html").get_attribute("lang") == lang, (name, lang)
                if lang == "en" and SHOTS.get(name) and SHOTS[name] not in shot:
                    shot.add(SHOTS[name])
                    page.screenshot(path=str(SCREENSHOTS / f"{SHOTS[name]}-en.png"), full_page=True)
                for width, size in WIDTHS.items():
                    page.set_viewport_size(size)
                    result = run_axe(page)
                    runs += 1
                    slug = _slug(f"{name}-{role}")
                    (RESULTS / f"{slug}-{width}-{lang}.json").write_text(
                        json.dumps(result, ensure_ascii=False, indent=1)
                    )
                    failures += [
                        f"{url} as {role}, {width} px, {lang}: {b}" for b in blocking(result)
                    ]
            context.close()
    with capsys.disabled():
        print(
            f"\naxe-core: {views // len(LANGUAGES)} page views × {len(WIDTHS)} widths"
            f" × {len(LANGUAGES)} languages = {runs} runs, {len(failures)} serious or critical;"
            f" violations by impact (rule × run): {dict(impacts) or 'none'};"
            f" {planned - started:.0f} s to list the pages,"
            f" {time.monotonic() - planned:.0f} s in Chromium"
        )
    assert views and not failures, "\n".join(failures)
