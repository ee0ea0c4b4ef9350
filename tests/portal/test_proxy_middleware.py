"""Behind the proxy the portal sees the client's address; without one it believes no header."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from portal.middleware import ProxyClientAddressMiddleware, ReplicaHeaderMiddleware


def seen_address(settings, trusted: int, forwarded_for: str | None) -> str:
    settings.TRUSTED_PROXY_COUNT = trusted
    headers = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for is not None else {}
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", **headers)
    seen = {}

    def view(request):
        seen["address"] = request.META["REMOTE_ADDR"]
        return HttpResponse()

    ProxyClientAddressMiddleware(view)(request)
    return seen["address"]


def test_behind_one_proxy_the_client_is_the_address_the_proxy_appended(settings):
    assert seen_address(settings, 1, "198.51.100.7") == "198.51.100.7"


def test_what_a_client_writes_before_the_proxys_entry_is_not_believed(settings):
    assert seen_address(settings, 1, "203.0.113.9, 198.51.100.7") == "198.51.100.7"


def test_behind_two_proxies_the_client_is_the_second_entry_from_the_right(settings):
    assert seen_address(settings, 2, "203.0.113.9, 198.51.100.7, 10.0.0.1") == "198.51.100.7"


def test_without_a_proxy_the_header_is_ignored(settings):
    assert seen_address(settings, 0, "203.0.113.9") == "10.0.0.2"


@pytest.mark.parametrize("header", [None, "", "198.51.100.7"])
def test_a_header_that_cannot_say_leaves_the_peer_address(settings, header):
    # Two proxies expected but fewer entries: the request did not come through both.
    assert seen_address(settings, 2, header) == "10.0.0.2"


def test_an_entry_that_is_not_an_address_leaves_the_peer_address(settings):
    assert seen_address(settings, 1, "203.0.113.9, <script>") == "10.0.0.2"


def test_ipv6_addresses_are_kept_in_their_normal_form(settings):
    assert seen_address(settings, 1, "2001:DB8::1") == "2001:db8::1"


def test_the_replica_names_itself_only_when_configured(settings):
    request = RequestFactory().get("/")
    settings.PORTAL_REPLICA = ""
    assert "X-Portal-Replica" not in ReplicaHeaderMiddleware(lambda r: HttpResponse())(request)
    settings.PORTAL_REPLICA = "web2"
    response = ReplicaHeaderMiddleware(lambda r: HttpResponse())(request)
    assert response["X-Portal-Replica"] == "web2"
