"""Step 3 without a person (issue 17): exact registry matches are verified automatically."""

import datetime as dt

import pytest

from accounts import services
from accounts.models import IssuanceLogEntry, RegistryImport, RequestEvent, Status


def test_a_request_matching_the_registry_exactly_is_verified_automatically(
    submit, registry_student, auto_verification, now
):
    registry_student()
    RegistryImport.objects.create(kind="student", file_name="sv.xlsx")
    RegistryImport.objects.update(imported_at=now - dt.timedelta(days=3))
    auto_verification(student=True)
    req = submit()
    assert req.status == Status.VERIFIED
    event = req.events.get(action="auto_verified")
    assert event.actor is None
    assert str(event.label) == "Đã kiểm tra tự động: các trường sau khớp với dữ liệu quản lý"
    assert "27/02/2026" in event.note
    # Written in the portal's language (Vietnamese), field by field.
    for field in ("Họ và đệm", "Tên", "Ngày sinh", "Lớp", "Khóa", "Số điện thoại di động"):
        assert field in event.note
    # The technicians' clock (step 4) runs now; nobody held step 3.
    assert req.claimed_by is None


def test_nothing_is_verified_automatically_until_the_admins_switch_it_on(
    submit, registry_student, now
):
    registry_student()
    assert submit().status == Status.SUBMITTED


def test_the_switch_is_per_kind_of_applicant(submit, registry_student, auto_verification):
    registry_student()
    registry_student(
        kind="staff",
        person_id="CB1024",
        family_and_middle_names="Trần Thị",
        given_name="Bình",
        date_of_birth=dt.date(1985, 9, 2),
        unit_name="Trường Cơ khí",
        student_class="",
        cohort="",
        mobile_phone="+84987654321",
    )
    auto_verification(student=False, staff=True)
    assert submit("staff").status == Status.VERIFIED
    assert submit().status == Status.SUBMITTED


def test_any_mismatch_goes_to_a_person(submit, registry_student, auto_verification):
    registry_student(cohort="K67")
    auto_verification(student=True)
    req = submit()
    assert req.status == Status.SUBMITTED
    assert not req.events.filter(action="auto_verified").exists()


def test_a_request_not_in_the_registry_goes_to_a_person(submit, auto_verification):
    auto_verification(student=True)
    assert submit().status == Status.SUBMITTED


def test_a_second_request_of_the_same_person_is_refused_not_verified(
    submit, registry_student, auto_verification
):
    from accounts.duplicates import DuplicateRequest

    registry_student()
    first = submit()  # switched off: waits for the office
    auto_verification(student=True)
    with pytest.raises(DuplicateRequest):
        submit(contact_email="other@example.com")
    first.refresh_from_db()
    assert first.status == Status.SUBMITTED


def test_a_person_who_already_has_an_address_is_not_verified_automatically(
    submit, registry_student, auto_verification
):
    from accounts.duplicates import DuplicateRequest

    registry_student(email="an.nguyenvan@sis.hust.edu.vn")
    auto_verification(student=True)
    with pytest.raises(DuplicateRequest):
        submit()
    assert not RequestEvent.objects.filter(action="auto_verified").exists()


def test_a_note_to_the_office_goes_to_a_person(submit, registry_student, auto_verification):
    registry_student()
    auto_verification(student=True)
    assert submit(note="Em đã có tài khoản cũ bị khoá").status == Status.SUBMITTED


def test_a_bulk_upload_is_verified_automatically_row_by_row(
    registry_student, auto_verification, make_user, now, django_capture_on_commit_callbacks
):
    from tests.accounts.conftest import student_data

    registry_student()
    registry_student(person_id="20231235", given_name="Bình")
    auto_verification(student=True)
    unit = make_user("applicant")
    rows = [
        student_data(),
        student_data(person_id="20231235", given_name="Bình", contact_email="b@example.com"),
        student_data(person_id="20239999", given_name="Cường", contact_email="c@example.com"),
    ]
    batch = services.submit_batch(rows, user=unit, file_name="k68.csv", now=now)
    assert services.auto_verify_batch(batch.pk, now=now) == 2
    statuses = dict(batch.requests.values_list("person_id", "status"))
    assert statuses == {
        "20231234": Status.VERIFIED,
        "20231235": Status.VERIFIED,
        "20239999": Status.SUBMITTED,
    }
    # Running it twice verifies nothing more.
    assert services.auto_verify_batch(batch.pk, now=now) == 0
    assert RequestEvent.objects.filter(action="auto_verified").count() == 2
    assert not IssuanceLogEntry.objects.exists()  # the manual backend issues nothing
