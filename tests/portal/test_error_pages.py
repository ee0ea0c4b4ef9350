"""Issue 20, fault 3: the error page is honest about a form, and a database outage is a 503.

The outage is real: the portal's database connection is pointed at a port where no PostgreSQL
listens (what a restarting server looks like to psycopg), then put back.
"""

import re

import pytest
from django.test import RequestFactory
from django.utils import translation

from accounts.models import AccountRequest
from portal.errors import server_error
from tests.forms import bm02_data
from tests.servers import database_down

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def units(transactional_db):
    from office.models import Unit

    hust = Unit.objects.create(code="hust", kind="university", name="Đại học Bách khoa Hà Nội")
    Unit.objects.create(code="hust-seee", kind="school", name="Trường Điện – Điện tử", parent=hust)


@pytest.mark.django_db(transaction=True)
def test_a_form_sent_while_the_database_is_down_gets_503_and_is_safe_to_send_again(units, client):
    client.raise_request_exception = False
    form = client.get("/accounts/apply/student/", **EN).content.decode()
    token = re.search(r'name="submission_token" value="([^"]+)"', form).group(1)
    data = bm02_data(token)

    with database_down():
        response = client.post(
            "/accounts/apply/student/",
            data,
            HTTP_REFERER="http://testserver/accounts/apply/student/",
            **EN,
        )
        page = response.content.decode()
        assert response.status_code == 503
        assert response["Retry-After"] == "30"
        assert "Your form may not have been received." in page
        assert "safe to send it again" in page
        assert 'href="/accounts/apply/student/" data-back' in page
        assert "Nothing you sent was lost" not in page
        assert "Traceback" not in page

        # A page that reads the database: the same friendly 503, no form message.
        page = client.get("/directory/", **EN)
        assert page.status_code == 503
        assert "The portal is briefly unavailable" in page.content.decode()
        assert "may not have been received" not in page.content.decode()

    # The database is back: the portal recovers by itself, and sending again records it once.
    again = client.post("/accounts/apply/student/", data, **EN)
    assert again.status_code == 302
    again = client.post("/accounts/apply/student/", data, **EN)
    assert again.status_code == 302
    assert AccountRequest.objects.count() == 1


def test_a_failed_post_is_not_called_safe_and_sound():
    request = RequestFactory().post("/accounts/apply/student/", HTTP_REFERER="https://evil.test/x")
    try:
        raise RuntimeError("a bug")
    except RuntimeError:
        with translation.override("vi"):
            response = server_error(request)
    page = response.content.decode()
    assert response.status_code == 500
    assert "Nothing you sent was lost" not in page
    assert "Có thể biểu mẫu của bạn chưa được nhận." in page  # Vietnamese first
    # A back link never leads off the site.
    assert 'href="/accounts/apply/student/" data-back' in page


def test_a_failed_page_view_says_to_try_again_without_talking_of_a_form():
    request = RequestFactory().get("/directory/")
    try:
        raise RuntimeError("a bug")
    except RuntimeError:
        with translation.override("vi"):
            response = server_error(request)
    assert response.status_code == 500
    assert "Retry-After" not in response
    assert "biểu mẫu" not in response.content.decode()
