"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

`playwright install` cannot download a browser here, so we launch /usr/bin/chromium
(override with CHROMIUM_PATH). The sync API runs an event loop in the test thread, so Django's
async-safety guard is told that ORM calls from the test body are fine.
"""

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.factories import TEST_PASSWORD  # noqa: E402

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, locale="vi-VN", viewport={"width": 1280, "height": 860}
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def log_in(page, user):
    """Through the log-in form, as a person does."""
    page.goto("/login/")
    page.get_by_label("Tên đăng nhập").fill(user.username)
    page.get_by_label("Mật khẩu").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()


@pytest.fixture
def login_as(page, make_user):
    """login_as("mtt_office") creates a user with that role and logs in through the form."""

    def _login(*roles, **kwargs):
        user = make_user(*roles, **kwargs)
        log_in(page, user)
        return user

    return _login


@pytest.fixture
def screenshot():
    """screenshot(page, "home") saves docs/screenshots/home.png (full page)."""

    def _shot(page, name: str):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    return _shot


@pytest.fixture
def person(browser, live_server, make_user):
    """person("mtt_office", full_name=...) → a page logged in as a new user with that role."""
    contexts = []

    def _person(*roles, **kwargs):
        user = make_user(*roles, **kwargs)
        context = browser.new_context(
            base_url=live_server.url, locale="vi-VN", viewport={"width": 1280, "height": 860}
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        log_in(page, user)
        return page

    yield _person
    for context in contexts:
        context.close()
