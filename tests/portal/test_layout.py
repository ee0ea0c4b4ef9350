"""The layout's kept fragments (portal.templatetags.layout, issue 15): the header, the footer and
the section menus are rendered once per person, page and language, and yet a person sees every
change at the next page load — a notification, a role given or taken, a new name, the language —
and every form in them carries a working CSRF token."""

import re

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from portal.templatetags import layout

from .test_ops import a_notification

pytestmark = pytest.mark.django_db

QUEUE = "/accounts/queue/"


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def header(client, path):
    body = client.get(path).content.decode()
    return body[body.index("<header") : body.index("</header>")]


def test_the_header_is_kept_and_the_bell_still_counts_each_new_notification(client_for):
    client = client_for("mtt_office")
    dashboard = reverse("portal:dashboard")
    assert 'data-testid="bell-count"' not in header(client, dashboard)
    assert any(key[0] == "header" for key in layout._fragments)
    a_notification(client.user, 1)
    assert 'data-testid="bell-count">1<' in header(client, dashboard)
    a_notification(client.user, 2)
    assert 'data-testid="bell-count">2<' in header(client, dashboard)


def test_a_role_given_or_taken_shows_in_the_menus_at_the_next_page(client_for):
    client = client_for("dialogue_committee")
    dashboard = reverse("portal:dashboard")
    assert f'href="{QUEUE}"' not in header(client, dashboard)
    office, _ = Group.objects.get_or_create(name="mtt_office")
    client.user.groups.add(office)
    assert f'href="{QUEUE}"' in header(client, dashboard)
    # The section menu of the e-mail accounts pages follows the same roles.
    page = client.get(QUEUE).content.decode()
    assert "3 · " in page and "4 · " not in page
    client.user.groups.remove(office)
    assert f'href="{QUEUE}"' not in header(client, dashboard)
    assert client.get(QUEUE).status_code == 403


def test_a_new_name_and_the_language_show_at_the_next_page(client_for):
    client = client_for("mtt_office", full_name="Nguyễn Văn An")
    assert "Nguyễn Văn An" in header(client, QUEUE)
    client.user.full_name = "Nguyễn Văn Bình"
    client.user.save()
    kept = header(client, QUEUE)
    assert "Nguyễn Văn Bình" in kept and "Nguyễn Văn An" not in kept
    assert "Đăng xuất" in kept
    client.post(reverse("set_language"), {"language": "en", "next": QUEUE})
    english = header(client, QUEUE)
    assert "Log out" in english and "Đăng xuất" not in english


def test_each_response_carries_its_own_working_csrf_token(make_user):
    user = make_user("mtt_office")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    tokens = [
        re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', header(client, QUEUE))
        for _ in range(2)
    ]
    assert all(tokens) and tokens[0][0] != tokens[1][0]  # masked afresh, not kept
    assert "csrf-token-slot" not in "".join(tokens[0] + tokens[1])
    response = client.post(reverse("logout"), {"csrfmiddlewaretoken": tokens[1][-1]})
    assert response.status_code == 302
    assert client.get(QUEUE).status_code == 302  # logged out: sent to the log-in page


def test_the_kept_fragments_are_bounded(client_for, monkeypatch):
    monkeypatch.setattr(layout, "MAX_FRAGMENTS", 5)
    client = client_for("mtt_office")
    for n in range(8):
        client.get(f"{QUEUE}?q=tran{n}")
    assert len(layout._fragments) <= 5
