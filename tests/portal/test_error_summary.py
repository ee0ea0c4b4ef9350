"""The error summary of every failed form (issue 13, the GOV.UK pattern): the page title starts
with "Error:" ("Lỗi:"), a summary at the top links each error to its field, and a form that
nothing was sent to (a page opened, a filter on an empty query) shows none."""

import re

import pytest
from django.conf import settings

from tests.accounts.test_public_pages import bm02, units  # noqa: F401  (autouse: the units)


def title(response) -> str:
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1).strip()


def summary_links(response) -> list[tuple[str, str]]:
    html = response.content.decode()
    box = re.search(r'<div class="error-summary.*?</div>', html, re.S)
    assert box, "no error summary"
    return re.findall(r'<a href="#([^"]+)" data-field="\1">([^<]*)</a>', box.group(0))


@pytest.mark.django_db
def test_a_failed_bm02_gets_the_error_title_and_a_summary_linking_each_field(client):
    response, _ = bm02(client, given_name="", mobile_phone="12", privacy_consent="")
    assert response.status_code == 200
    assert title(response).startswith("Lỗi: ")
    links = summary_links(response)
    anchors = [anchor for anchor, _text in links]
    assert anchors == ["id_given_name", "id_mobile_phone", "id_privacy_consent"]
    html = response.content.decode()
    for anchor in anchors:  # each link leads to a field on the page, tied to its message
        assert re.search(rf'id="{anchor}"[^>]*aria-describedby=', html) or re.search(
            rf'aria-describedby="[^"]*"[^>]*id="{anchor}"', html
        ), anchor
    assert "data-error-summary" in html and 'tabindex="-1"' in html


@pytest.mark.django_db
def test_in_english_the_title_starts_with_error(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response, _ = bm02(client, given_name="")
    assert title(response).startswith("Error: ")
    assert summary_links(response) == [("id_given_name", "Given name: This field is required.")]


@pytest.mark.django_db
def test_a_failed_log_in_names_the_problem_at_the_top(client):
    response = client.post("/login/", {"username": "nobody", "password": "wrong"})
    assert response.status_code == 200
    assert title(response).startswith("Lỗi: ")
    assert "error-summary" in response.content.decode()


@pytest.mark.django_db
def test_pages_nothing_was_sent_to_have_no_summary(client, make_user):
    for url in ("/accounts/apply/student/", "/login/", "/directory/search/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert not title(response).startswith("Lỗi"), url
        assert "error-summary" not in response.content.decode(), url


@pytest.mark.django_db
@pytest.mark.parametrize("language,hint", [("vi", "VD: "), ("en", "e.g. ")])
def test_placeholders_read_as_examples_not_as_values(client, language, hint):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client.get("/accounts/apply/student/").content.decode()
    placeholders = re.findall(r'placeholder="([^"]*)"', html)
    assert placeholders, "BM02 has no placeholders"
    for text in placeholders:  # an example says so; a format (dd/mm/yyyy) cannot pass for a value
        assert text.startswith(hint) or text in ("dd/mm/yyyy", "hh:mm"), text
