"""Finding 8: a form's one-time token is bound to the content that was submitted with it."""

import pytest
from django.core.cache import cache

from accounts.models import AccountRequest
from office.models import Unit
from tests.forms import bm02_data, submission_token

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def units(db):
    hust = Unit.objects.create(code="hust", kind="university", name="Đại học Bách khoa Hà Nội")
    Unit.objects.create(code="hust-seee", kind="school", name="Trường Điện – Điện tử", parent=hust)
    cache.delete("accounts:unit-choices")
    yield
    cache.delete("accounts:unit-choices")


def form(client, **overrides):
    return bm02_data(submission_token(client), **overrides)


def test_a_token_reused_with_another_persons_data_never_shows_the_first_request(client):
    first = form(client)
    an = client.post("/accounts/apply/student/", first)
    assert "Nguyễn Văn An" in client.get(an["Location"]).content.decode()
    # The next person at the same computer goes back and sends their own data with the token.
    other = {
        **first,
        "family_and_middle_names": "Trần Thị",
        "given_name": "Bình",
        "person_id": "20239999",
        "contact_email": "binh.tran@example.com",
    }
    binh = client.post("/accounts/apply/student/", other)
    assert binh.status_code == 302 and binh["Location"] != an["Location"]
    page = client.get(binh["Location"]).content.decode()
    assert "Bình" in page and "an.nguyen@example.com" not in page
    assert AccountRequest.objects.count() == 2


def test_the_same_token_with_the_same_content_is_still_one_request(client):
    data = form(client)
    first = client.post("/accounts/apply/student/", data)
    again = client.post("/accounts/apply/student/", data)
    assert first["Location"] == again["Location"]
    assert AccountRequest.objects.count() == 1
