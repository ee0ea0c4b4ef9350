import pytest
from django.urls import reverse

from portal.roles import Role

pytestmark = pytest.mark.django_db


def test_the_home_page_says_what_the_portal_does_and_where_to_start(client):
    body = client.get(reverse("portal:home")).content.decode()
    assert "Cổng Văn phòng" in body
    assert "BM01" in body and "BM02" in body
    assert "4402/KH-ĐHM" in body


def test_the_home_page_speaks_english_when_asked(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("portal:home")).content.decode()
    assert "Where to start" in body
    assert '<html lang="en">' in body


def test_my_work_needs_a_log_in(client):
    response = client.get(reverse("portal:dashboard"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("role", list(Role))
def test_each_role_sees_its_role_and_duties_on_my_work(client_for, role):
    body = client_for(role).get(reverse("portal:dashboard")).content.decode()
    assert str(role.label) in body or role.value in body
    assert 'data-testid="nav-work"' in body


def test_dates_are_written_day_month_year():
    import datetime

    from django.utils import formats, translation

    with translation.override("vi"):
        assert formats.date_format(datetime.date(2024, 4, 24), "SHORT_DATE_FORMAT") == "24/04/2024"
