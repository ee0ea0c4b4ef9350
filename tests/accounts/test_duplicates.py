"""One person, one account (issue 12 §1), reserved suggestions (§2), honest verification (§3)."""

import datetime as dt

import pytest
from django.db import IntegrityError

from accounts import services
from accounts.duplicates import DuplicateRequest, merge_request, possible_duplicates
from accounts.models import AccountRequest, RequestEvent, Status
from tests.accounts.conftest import CHECKED_ON_PAPER, staff_data, student_data

pytestmark = pytest.mark.django_db


# --- §1 at submission -----------------------------------------------------------------------


def test_a_second_request_for_an_id_with_an_open_one_is_refused(submit):
    submit()
    with pytest.raises(DuplicateRequest) as caught:
        services.submit_request(student_data(contact_email="other@example.com"))
    assert caught.value.kind == "open"
    assert AccountRequest.objects.count() == 1


def test_the_id_is_compared_without_its_case(submit):
    submit("staff", person_id="CB1024")
    with pytest.raises(DuplicateRequest):
        services.submit_request({**student_data(), "person_kind": "staff", "person_id": "cb1024"})


def test_a_new_account_for_an_id_that_has_one_is_refused_but_a_reset_is_taken(
    issued, manager, office, now
):
    req = issued()
    services.record_issuance(req.pk, manager, now=now)
    services.notify_result(req.pk, office, now=now)
    with pytest.raises(DuplicateRequest) as caught:
        services.submit_request(student_data())
    assert caught.value.kind == "issued"
    reset, created = services.submit_request(
        student_data(request_kind="password_reset", existing_address=req.issued_address)
    )
    assert created and reset.is_reset


def test_an_id_whose_registry_record_has_an_address_already_has_an_account(
    registry_student,
):
    registry_student(email="an.nguyenvan@sis.hust.edu.vn")
    with pytest.raises(DuplicateRequest):
        services.submit_request(student_data())


def test_the_form_points_the_applicant_on_without_showing_the_other_request(
    client, submit, hust_units
):
    first = submit(
        family_and_middle_names="Hoàng Quốc",
        contact_email="first.person@example.com",
        mobile_phone="+84911111111",
    )
    page = client.get("/accounts/apply/student/")
    token = page.context["token"]
    response = client.post("/accounts/apply/student/", _bm02_post(token, person_id="20231234"))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="duplicate"' in body
    assert "/accounts/track/" in body  # the "lost the link" page, not a link
    for secret in (first.reference, first.tracking_token, "first.person", "Hoàng Quốc", "0911"):
        assert secret not in body
    assert 'value="Lê Thị"' in body and 'value="mai.le@example.com"' in body  # nothing lost
    assert AccountRequest.objects.count() == 1


def test_the_same_citizen_id_under_another_code_is_the_same_person(submit):
    # A staff member who is also a student, or a mistyped student code: the CCCD finds them.
    submit(citizen_id="001203004567")
    with pytest.raises(DuplicateRequest) as caught:
        services.submit_request(
            student_data(person_id="20239999", citizen_id="001203004567", contact_email="b@x.vn")
        )
    assert caught.value.kind == "open"
    # Without a CCCD, or with another one, a different code is a different person.
    assert services.submit_request(student_data(person_id="20239999", contact_email="b@x.vn"))[1]
    assert services.submit_request(
        student_data(person_id="20238888", citizen_id="001203009999", contact_email="c@x.vn")
    )[1]


def test_an_account_issued_to_a_citizen_id_refuses_a_new_one_under_another_code(
    submit, office, technician, manager, now
):
    first = submit(citizen_id="001203004567")
    services.verify_request(first.pk, office, now=now, reason=CHECKED_ON_PAPER)
    first.refresh_from_db()
    services.issue_account(first.pk, technician, address=services.suggested_address(first), now=now)
    services.record_issuance(first.pk, manager, now=now)
    services.notify_result(first.pk, office, now=now)
    with pytest.raises(DuplicateRequest) as caught:
        services.submit_request(
            staff_data(person_id="CB7777", citizen_id="001203004567", contact_email="b@x.vn")
        )
    assert caught.value.kind == "issued"


def _bm02_post(token, **overrides):
    data = {
        "request_kind": "new_account",
        "family_and_middle_names": "Lê Thị",
        "given_name": "Mai",
        "date_of_birth": "01/02/2005",
        "person_id": "20235555",
        "unit": "hust-seee",
        "student_class": "ĐTVT-02",
        "cohort": "K68",
        "mobile_phone": "0987 000 111",
        "contact_email": "mai.le@example.com",
        "submission_token": token,
        "privacy_consent": "on",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("typed", ["12345", "00120300456A", "0012030045671"])
def test_a_citizen_id_that_is_not_12_digits_is_refused_next_to_the_field(client, hust_units, typed):
    token = client.get("/accounts/apply/student/").context["token"]
    response = client.post("/accounts/apply/student/", _bm02_post(token, citizen_id=typed))
    assert response.status_code == 200
    assert "citizen_id" in response.context["form"].errors
    assert AccountRequest.objects.count() == 0


def test_the_citizen_id_is_kept_for_staff_and_shown_to_nobody_else(
    client, client_for, hust_units, submit
):
    submit(
        citizen_id="001203004567",
        contact_email="first.person@example.com",
        family_and_middle_names="Hoàng Quốc",
    )
    token = client.get("/accounts/apply/student/").context["token"]
    response = client.post(
        "/accounts/apply/student/", _bm02_post(token, citizen_id="0012 0300 4567")
    )
    body = response.content.decode()
    assert 'data-testid="duplicate"' in body
    assert "citizen_id" in response.context["form"].errors
    assert "first.person" not in body and "Hoàng Quốc" not in body
    assert AccountRequest.objects.count() == 1
    req = AccountRequest.objects.get()
    assert req.citizen_id == "001203004567"
    # The applicant's own pages and the printed form do not repeat it; staff see it.
    for url in (
        f"/accounts/track/{req.tracking_token}/",
        f"/accounts/track/{req.tracking_token}/print/",
    ):
        assert "001203004567" not in client.get(url).content.decode()
    staff_page = client_for("mtt_office").get(f"/accounts/requests/{req.pk}/").content.decode()
    assert 'data-testid="citizen-id"' in staff_page and "001203004567" in staff_page


def test_anonymising_a_request_clears_its_citizen_id(submit, office, now):
    from accounts.privacy import _anonymise

    req = submit(citizen_id="001203004567")
    _anonymise(AccountRequest.objects.filter(pk=req.pk))
    req.refresh_from_db()
    assert req.citizen_id == "" and "001203004567" not in req.search_key


# --- §1 staff: banner, merge, the technician's reason --------------------------------------


def _duplicate_pair(submit, now):
    first = submit()
    second, _c = services.submit_request(
        student_data(contact_email="again@example.com"),
        now=now + dt.timedelta(hours=1),
        check_duplicates=False,  # as one entered before the check existed
    )
    return first, second


def test_staff_see_the_possible_duplicate_and_merge_it(client_for, submit, now):
    first, second = _duplicate_pair(submit, now)
    client = client_for("mtt_office")
    body = client.get(f"/accounts/requests/{second.pk}/").content.decode()
    assert 'data-testid="duplicate-banner"' in body and first.reference in body
    response = client.post(f"/accounts/requests/{second.pk}/merge/", {"into": first.pk})
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.status == Status.MERGED and second.duplicate_of == first
    assert not second.is_open
    assert first.events.filter(action="merge_received", note=second.reference).exists()
    # The merged request's applicant is told; no banner any more on either side.
    assert (
        'data-testid="duplicate-banner"'
        not in client.get(f"/accounts/requests/{first.pk}/").content.decode()
    )


def test_a_request_cannot_be_merged_into_another_persons(submit, office, now):
    first = submit()
    other = submit(person_id="20239999")
    with pytest.raises(services.TransitionError):
        merge_request(other.pk, first.pk, office, now=now)


def test_the_technician_gives_a_second_address_only_with_a_reason_kept_in_the_history(
    issued, submit, office, technician, now
):
    first = issued()
    second, _c = services.submit_request(
        student_data(contact_email="again@example.com"), now=now, check_duplicates=False
    )
    services.verify_request(second.pk, office, now=now, reason=CHECKED_ON_PAPER)
    second.refresh_from_db()
    address = services.suggested_address(second)
    assert address == "an.nguyenvan2@sis.hust.edu.vn"
    with pytest.raises(services.TransitionError) as caught:
        services.issue_account(second.pk, technician, address=address, now=now)
    assert first.issued_address in caught.value.message
    assert AccountRequest.objects.get(pk=second.pk).status == Status.VERIFIED
    services.issue_account(
        second.pk, technician, address=address, reason="Tài khoản cũ bị khoá vĩnh viễn", now=now
    )
    event = RequestEvent.objects.get(request=second, action="second_address")
    assert "Tài khoản cũ bị khoá vĩnh viễn" in event.note and event.actor == technician


def test_the_issue_form_keeps_what_was_typed_and_asks_for_the_reason(
    client_for, issued, office, now
):
    issued()
    second, _c = services.submit_request(
        student_data(contact_email="again@example.com"), now=now, check_duplicates=False
    )
    services.verify_request(second.pk, office, now=now, reason=CHECKED_ON_PAPER)
    client = client_for("mtt_technician")
    response = client.post(
        f"/accounts/requests/{second.pk}/issue/",
        {"address": "an.nguyenvan2@sis.hust.edu.vn", "password": "Typed-Pass-9876"},
    )
    assert response.status_code == 200
    form = response.context["issue_form"]
    assert "reason" in form.errors
    assert 'value="Typed-Pass-9876"' in response.content.decode()


# --- §2 reservations --------------------------------------------------------------------------


def test_two_namesakes_checked_get_two_addresses_and_keep_them(submit, office, now):
    a = submit(person_id="20230001")
    b = submit(person_id="20230002", contact_email="b@example.com")
    services.verify_request(a.pk, office, now=now, reason=CHECKED_ON_PAPER)
    services.verify_request(b.pk, office, now=now, reason=CHECKED_ON_PAPER)
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.proposed_address == "an.nguyenvan@sis.hust.edu.vn"
    assert b.proposed_address == "an.nguyenvan2@sis.hust.edu.vn"
    # Asked again, each keeps its own: a suggestion is a reservation.
    assert services.suggested_address(b) == "an.nguyenvan2@sis.hust.edu.vn"
    assert services.suggested_address(a) == "an.nguyenvan@sis.hust.edu.vn"


def test_an_address_reserved_for_one_request_is_not_issued_to_another(
    submit, office, technician, now
):
    a = submit(person_id="20230001")
    b = submit(person_id="20230002", contact_email="b@example.com")
    services.verify_request(a.pk, office, now=now, reason=CHECKED_ON_PAPER)
    services.verify_request(b.pk, office, now=now, reason=CHECKED_ON_PAPER)
    with pytest.raises(services.TransitionError):
        services.issue_account(b.pk, technician, address="an.nguyenvan@sis.hust.edu.vn", now=now)


def test_the_database_refuses_one_address_reserved_twice(submit):
    a = submit(person_id="20230001")
    b = submit(person_id="20230002", contact_email="b@example.com")
    AccountRequest.objects.filter(pk=a.pk).update(proposed_address="x.y@sis.hust.edu.vn")
    with pytest.raises(IntegrityError):
        AccountRequest.objects.filter(pk=b.pk).update(proposed_address="X.Y@sis.hust.edu.vn")


def test_a_merged_request_lets_its_address_go(submit, office, now):
    first, second = _duplicate_pair(submit, now)
    services.verify_request(second.pk, office, now=now, reason=CHECKED_ON_PAPER)
    second.refresh_from_db()
    assert second.proposed_address
    merge_request(second.pk, first.pk, office, now=now)
    second.refresh_from_db()
    assert second.proposed_address == ""
    services.verify_request(first.pk, office, now=now, reason=CHECKED_ON_PAPER)
    first.refresh_from_db()
    assert first.proposed_address == "an.nguyenvan@sis.hust.edu.vn"


# --- §3 verification that says what it did ---------------------------------------------------


def test_a_request_that_differs_from_the_registry_is_forwarded_only_with_a_reason(
    submit, office, registry_student, now
):
    registry_student(date_of_birth=dt.date(2005, 3, 16))
    req = submit()
    with pytest.raises(services.TransitionError):
        services.verify_request(req.pk, office, now=now)
    assert AccountRequest.objects.get(pk=req.pk).status == Status.SUBMITTED
    services.verify_request(req.pk, office, now=now, reason="Sinh viên mang CCCD đến đối chiếu")
    event = RequestEvent.objects.get(request=req, to_status=Status.VERIFIED)
    assert event.action == "verified_differences"
    assert event.note == "Sinh viên mang CCCD đến đối chiếu"
    assert event.differing_fields == ["Ngày sinh"]
    assert "Tên" in event.matched_fields
    assert "khớp với dữ liệu" not in str(event.label)


def test_a_request_not_in_the_registry_says_so_in_its_history(submit, office, now):
    req = submit()
    services.verify_request(req.pk, office, now=now, reason=CHECKED_ON_PAPER)
    event = RequestEvent.objects.get(request=req, to_status=Status.VERIFIED)
    assert event.action == "verified_not_in_registry"
    assert event.details["in_registry"] is False and event.matched_fields == []


def test_an_exact_match_needs_no_reason_and_lists_every_field(
    submit, office, registry_student, now
):
    registry_student()
    req = submit()
    services.verify_request(req.pk, office, now=now)
    event = RequestEvent.objects.get(request=req, to_status=Status.VERIFIED)
    assert event.action == "verified" and event.differing_fields == []
    assert len(event.matched_fields) == 7


def test_the_queue_shows_and_filters_requests_not_in_the_registry(
    client_for, submit, registry_student
):
    registry_student()
    listed = submit()
    unlisted = submit(person_id="20239999", contact_email="x@example.com")
    client = client_for("mtt_office")
    body = client.get("/accounts/queue/").content.decode()
    assert body.count('data-testid="not-in-registry"') == 1
    only = client.get("/accounts/queue/", {"registry": "missing"}).content.decode()
    assert unlisted.reference in only and listed.reference not in only


def test_a_request_merges_into_one_with_the_same_citizen_id_under_another_code(submit, office, now):
    first = submit(citizen_id="001203004567")
    second, _c = services.submit_request(
        student_data(person_id="20239999", citizen_id="001203004567", contact_email="b@x.vn"),
        now=now,
        check_duplicates=False,
    )
    assert [r.pk for r in possible_duplicates(second)] == [first.pk]
    merge_request(second.pk, first.pk, office, now=now)
    second.refresh_from_db()
    assert second.status == Status.MERGED and second.duplicate_of == first
