import datetime as dt

import pytest
from django.utils import timezone

from accounts import services
from accounts.models import RegistryRecord

NOW = timezone.make_aware(dt.datetime(2026, 3, 2, 9, 0))
# Most tests keep no registry record: the reviewer then forwards with a typed reason.
CHECKED_ON_PAPER = "Đã đối chiếu hồ sơ giấy tại Văn phòng MTT"


def student_data(**overrides):
    data = {
        "person_kind": "student",
        "request_kind": "new_account",
        "family_and_middle_names": "Nguyễn Văn",
        "given_name": "An",
        "date_of_birth": dt.date(2005, 3, 15),
        "person_id": "20231234",
        "unit_name": "Trường Điện – Điện tử",
        "unit_code": "hust-seee",
        "student_class": "ĐTVT-01",
        "cohort": "K68",
        "mobile_phone": "+84912345678",
        "contact_email": "an.nguyen@example.com",
        "existing_address": "",
        "note": "",
    }
    data.update(overrides)
    return data


def staff_data(**overrides):
    data = student_data(
        person_kind="staff",
        person_id="CB1024",
        family_and_middle_names="Trần Thị",
        given_name="Bình",
        date_of_birth=dt.date(1985, 9, 2),
        unit_name="Trường Cơ khí",
        unit_code="hust-sme",
        student_class="",
        cohort="",
        mobile_phone="+84987654321",
        contact_email="binh.tran@example.com",
    )
    data.update(overrides)
    return data


@pytest.fixture
def now():
    return NOW


@pytest.fixture
def submit(db):
    """submit(**overrides) → a request received at NOW (a student's BM02 by default)."""

    def _submit(kind="student", at=NOW, **overrides):
        data = staff_data(**overrides) if kind == "staff" else student_data(**overrides)
        req, _created = services.submit_request(data, now=at)
        return req

    return _submit


@pytest.fixture
def registry_student(db):
    def _make(**overrides):
        values = {
            "kind": "student",
            "person_id": "20231234",
            "family_and_middle_names": "Nguyễn Văn",
            "given_name": "An",
            "date_of_birth": dt.date(2005, 3, 15),
            "unit_name": "Trường Điện – Điện tử",
            "student_class": "ĐTVT-01",
            "cohort": "K68",
            "mobile_phone": "+84912345678",
            "email": "",
        }
        values.update(overrides)
        return RegistryRecord.objects.create(**values)

    return _make


@pytest.fixture
def office(make_user):
    return make_user("mtt_office", full_name="Phạm Thu Hà")


@pytest.fixture
def technician(make_user):
    return make_user("mtt_technician", full_name="Trần Quốc Bảo")


@pytest.fixture
def manager(make_user):
    return make_user("mtt_account_manager", full_name="Lê Minh Châu")


@pytest.fixture
def head(make_user):
    return make_user("mtt_office_head", full_name="Đỗ Thị Dung")


@pytest.fixture
def issued(submit, office, technician, now):
    """A student request checked and issued (waiting for the log entry)."""

    def _issued(**overrides):
        req = submit(**overrides)
        services.verify_request(req.pk, office, now=now, reason=CHECKED_ON_PAPER)
        req = services.issue_account(
            req.pk,
            technician,
            address=services.suggested_address(req),
            now=now,
            password="Temp-Pass-12345",
        )
        return req

    return _issued
