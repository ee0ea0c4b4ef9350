import pytest
from django.urls import reverse

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def test_a_right_password_logs_in_and_lands_on_my_work(client, make_user):
    user = make_user("mtt_office")
    response = client.post(reverse("login"), {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("portal:dashboard")


def test_a_wrong_password_says_so_next_to_the_form_and_keeps_the_user_name(client, make_user):
    user = make_user()
    response = client.post(reverse("login"), {"username": user.username, "password": "nope"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in body
    assert f'value="{user.username}"' in body


def test_five_failures_lock_the_user_out_with_an_explanation(client, make_user, settings):
    user = make_user()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": user.username, "password": "wrong"})
    # Even the right password is refused now, and the page says why.
    response = client.post(reverse("login"), {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 429
    assert "tạm khoá" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_log_out_is_a_post_and_returns_home(client_for):
    client = client_for("learner")
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_change_needs_the_old_password(client_for):
    client = client_for("learner")
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "bad",
            "new_password1": "Another-pass-2026",
            "new_password2": "Another-pass-2026",
        },
    )
    assert response.status_code == 200
    assert "old_password" in response.context["form"].errors


def test_a_log_in_post_without_the_csrf_token_is_refused(make_user):
    from django.test import Client

    user = make_user()
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 403
