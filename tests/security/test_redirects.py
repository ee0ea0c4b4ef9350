"""Finding 9: `next=` never sends a person to another site (one helper, portal.redirects)."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from portal.redirects import safe_next

pytestmark = pytest.mark.django_db

EVIL = [
    "https://evil.example/phish",
    "//evil.example/phish",
    "/\\evil.example",
    "javascript:alert(1)",
    "http:///evil.example",
]


@pytest.mark.parametrize("target", EVIL)
def test_recording_an_issuance_never_redirects_off_site(client_for, target):
    client = client_for("mtt_account_manager")
    response = client.post(reverse("accounts:record", args=[999999]), {"next": target})
    assert response.status_code == 302
    assert response.url == reverse("accounts:log")


def test_a_path_on_the_site_is_followed(client_for):
    client = client_for("mtt_account_manager")
    response = client.post(reverse("accounts:record", args=[999999]), {"next": "/accounts/queue/"})
    assert response.url == "/accounts/queue/"


@pytest.mark.parametrize("target", EVIL)
def test_the_helper_falls_back_for_every_outside_address(target):
    request = RequestFactory().get("/", {"next": target})
    assert safe_next(request, "/work/") == "/work/"


def test_the_helper_accepts_the_portals_own_address(settings):
    settings.PORTAL_BASE_URL = "https://portal.example.edu.vn"
    request = RequestFactory().get("/")
    url = "https://portal.example.edu.vn/accounts/"
    assert safe_next(request, "/work/", target=url) == url
