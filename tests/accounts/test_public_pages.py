"""BM01/BM02 without logging in, the status page behind the tracking link, the view-once link."""

import re

import pytest
from django.core.cache import cache

from accounts import services
from accounts.models import AccountRequest, Status
from portal.models import Notification
from tests.forms import BM02_URL, bm02_data, submission_token


@pytest.fixture(autouse=True)
def units(db):
    from office.models import Unit

    cache.delete("accounts:unit-choices")
    hust = Unit.objects.create(code="hust", kind="university", name="Đại học Bách khoa Hà Nội")
    Unit.objects.create(code="hust-seee", kind="school", name="Trường Điện – Điện tử", parent=hust)
    Unit.objects.create(code="hust-sme", kind="school", name="Trường Cơ khí", parent=hust)
    yield
    cache.delete("accounts:unit-choices")


def bm02(client, **overrides):
    data = bm02_data(submission_token(client), **overrides)
    return client.post(BM02_URL, data), data


def test_a_visitor_submits_bm02_without_logging_in_and_lands_on_the_status_page(client):
    response, _data = bm02(client)
    req = AccountRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/track/{req.tracking_token}/"
    assert req.mobile_phone == "+84912345678"
    assert req.unit_name == "Trường Điện – Điện tử"
    page = client.get(response["Location"]).content.decode()
    assert req.reference in page
    assert "MTT.QT06.BM02" in page


def test_the_same_form_token_sent_twice_gives_the_same_request(client):
    first, data = bm02(client)
    second = client.post("/accounts/apply/student/", data)
    assert first["Location"] == second["Location"]
    assert AccountRequest.objects.count() == 1


def test_bad_input_is_shown_next_to_the_field_and_nothing_typed_is_lost(client):
    response, _data = bm02(
        client, mobile_phone="024 3869 2222", date_of_birth="31/02/2005", given_name="An2"
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "024 3869 2222" in page  # kept
    assert 'id="error_1_id_mobile_phone"' in page or "invalid-feedback" in page
    assert AccountRequest.objects.count() == 0


def test_a_reset_needs_the_existing_address_in_the_students_domain(client):
    response, _data = bm02(client, request_kind="password_reset", existing_address="an@gmail.com")
    assert response.status_code == 200
    assert "sis.hust.edu.vn" in response.content.decode()
    assert AccountRequest.objects.count() == 0


def test_bm01_asks_for_the_staff_id_and_unit(client):
    page = client.get("/accounts/apply/staff/").content.decode()
    assert "MTT.QT06.BM01" in page
    assert 'name="student_class"' not in page


def test_without_the_link_a_visitor_sees_nothing(client, submit):
    submit()
    assert client.get("/accounts/track/not-the-token/").status_code == 404
    assert client.get("/accounts/track/not-the-token/print/").status_code == 404
    assert client.get("/accounts/secret/not-the-token/").status_code == 200  # "link gone" page


def test_the_status_page_shows_every_step_who_holds_it_and_by_when(client, submit):
    req = submit()
    page = client.get(f"/accounts/track/{req.tracking_token}/").content.decode()
    assert "02/03/2026 09:00" in page or "03/03/2026 09:00" in page  # due 24 h after receipt
    assert page.count('data-state="') == 5
    assert 'data-state="current"' in page
    assert "0912 345 678" not in page  # personal data stays off the public page


def test_the_printable_form_shows_what_was_filled_in(client, submit):
    req = submit()
    page = client.get(f"/accounts/track/{req.tracking_token}/print/").content.decode()
    assert "Nguyễn Văn" in page and "20231234" in page and "0912 345 678" in page


def test_a_returned_request_is_corrected_through_the_tracking_link(client, submit, office, now):
    req = submit()
    services.reject_request(req.pk, office, "Sai ngày sinh", now=now)
    form = client.get(f"/accounts/track/{req.tracking_token}/correct/").content.decode()
    assert "Sai ngày sinh" in form and "15/03/2005" in form
    response = client.post(
        f"/accounts/track/{req.tracking_token}/correct/",
        {
            "request_kind": "new_account",
            "family_and_middle_names": "Nguyễn Văn",
            "given_name": "An",
            "date_of_birth": "16/03/2005",
            "person_id": "20231234",
            "unit": "hust-seee",
            "student_class": "ĐTVT-01",
            "cohort": "K68",
            "mobile_phone": "0912345678",
            "contact_email": "an.nguyen@example.com",
        },
    )
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.status == Status.SUBMITTED and str(req.date_of_birth) == "2005-03-16"


def test_the_view_once_link_shows_the_password_once(
    client, issued, manager, office, now, mailoutbox
):
    from portal.notifications import deliver_notification

    req = issued()
    services.record_issuance(req.pk, manager, now=now)
    services.notify_result(req.pk, office)
    # The link is in the mail the applicant receives (the outbox row keeps it sealed).
    deliver_notification(Notification.objects.get(template="accounts/result").pk)
    body = mailoutbox[-1].body
    path = re.search(r"(/accounts/secret/[^/]+/)", body).group(1)
    ask = client.get(path)
    assert "Temp-Pass-12345" not in ask.content.decode()
    assert "no-store" in ask["Cache-Control"]
    wrong = client.post(path, {"person_id": "11111111"}).content.decode()
    assert "Temp-Pass-12345" not in wrong
    shown = client.post(path, {"person_id": "20231234"}).content.decode()
    assert "Temp-Pass-12345" in shown
    again = client.post(path, {"person_id": "20231234"}).content.decode()
    assert "Temp-Pass-12345" not in again and 'data-testid="secret-gone"' in again


def test_the_public_form_get_makes_few_queries(client, django_assert_max_num_queries):
    client.get("/accounts/apply/student/")  # fills the unit cache
    with django_assert_max_num_queries(2):
        assert client.get("/accounts/apply/student/").status_code == 200


def test_bm02_lists_faculties_and_schools_but_no_office(client):
    from office.models import Unit

    hust = Unit.objects.get(code="hust")
    Unit.objects.create(code="hust-dao-tao", kind="department", name="Ban Đào tạo", parent=hust)
    cache.clear()  # the unit list and the empty forms' HTML
    student = client.get("/accounts/apply/student/").content.decode()
    staff = client.get("/accounts/apply/staff/").content.decode()
    assert "Trường Điện – Điện tử" in student and "Ban Đào tạo" not in student
    assert "Ban Đào tạo" in staff  # staff work in offices too


def test_a_unit_renamed_in_the_directory_shows_on_the_form_at_once(client):
    from office.models import Unit

    assert "Trường Cơ khí" in client.get("/accounts/apply/student/").content.decode()
    unit = Unit.objects.get(code="hust-sme")
    unit.name = "Trường Cơ khí và Tự động hoá"
    unit.save()
    Unit.objects.create(
        code="hust-sce", kind="school", name="Trường Hoá và Khoa học sự sống", parent=unit.parent
    )
    page = client.get("/accounts/apply/student/").content.decode()
    assert "Trường Cơ khí và Tự động hoá" in page
    assert "Trường Hoá và Khoa học sự sống" in page
