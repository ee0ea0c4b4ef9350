"""Issue 18, staff side: drafts from e-mail in the queue, the check-and-confirm page, the intake
log, and the protected downloads of the original message and its attachments."""

import pytest
from django.core.cache import cache

from accounts.intake.services import ingest
from accounts.models import AccountRequest, Status
from portal.downloads import download_url
from tests.accounts.mail.build import DOCX, bm_docx, message
from tests.conftest import ALL_ROLES


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def units(db):
    from office.models import Unit

    cache.delete("accounts:unit-choices")
    hust = Unit.objects.create(code="hust", kind="university", name="Đại học Bách khoa Hà Nội")
    Unit.objects.create(
        code="soict", kind="school", name="Trường Công nghệ Thông tin và Truyền thông", parent=hust
    )
    yield
    cache.delete("accounts:unit-choices")


@pytest.fixture
def draft(db):
    row, _ = ingest(
        message(attachments=[("Đơn BM02 – Trần Thị Bình.docx", bm_docx(), DOCX)]), source="test"
    )
    return row.request


def test_a_draft_shows_in_the_queue_with_its_own_badge_and_opens_the_confirm_page(
    client_for, draft
):
    page = client_for("mtt_office").get("/accounts/queue/").content.decode()
    assert 'data-status="draft"' in page and "Nhận qua thư, chờ xác nhận" in page
    assert f"/accounts/requests/{draft.pk}/confirm/" in page


def test_the_confirm_page_shows_where_each_value_came_from(client_for, draft):
    response = client_for("mtt_office").get(f"/accounts/requests/{draft.pk}/confirm/")
    page = response.content.decode()
    assert 'value="Bình"' in page
    assert "docx: Đơn BM02 – Trần Thị Bình.docx" in page
    assert 'data-source-for="contact_email"' in page
    # the unit written in the form is matched to the directory's unit
    assert response.context["form"].initial["unit"] == "soict"


def test_bad_input_on_confirm_is_shown_next_to_the_field_and_nothing_typed_is_lost(
    client_for, draft
):
    client = client_for("mtt_office")
    data = {
        "action": "confirm",
        "person_kind": "student",
        "request_kind": "new_account",
        "family_and_middle_names": "Trần Thị",
        "given_name": "Bình",
        "date_of_birth": "31/02/2005",
        "person_id": "20231234",
        "unit": "soict",
        "student_class": "CNTT-01",
        "cohort": "K68",
        "mobile_phone": "0912 345 678",
        "contact_email": "binh.tt@gmail.com",
    }
    response = client.post(f"/accounts/requests/{draft.pk}/confirm/", data)
    assert response.status_code == 200
    assert response.context["form"].errors["date_of_birth"]
    assert 'value="31/02/2005"' in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT

    data["date_of_birth"] = "15/03/2005"
    response = client.post(f"/accounts/requests/{draft.pk}/confirm/", data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED and draft.unit_code == "soict"
    assert draft.unit.code == "soict"  # linked to the directory, as a web-form request is


@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_the_mtt_office_reads_the_mail(client_for, draft, role):
    client = client_for(role)
    att = draft.intake_messages.get().attachments.get()
    urls = [
        "/accounts/mail/",
        f"/accounts/requests/{draft.pk}/confirm/",
        download_url(draft.intake_messages.get(), "original"),
        download_url(att, "file"),
    ]
    for url in urls:
        status = client.get(url).status_code
        assert status == 200 if role == "mtt_office" else status in (403, 404), (url, status)


def test_downloads_are_attachments_never_rendered(client_for, draft):
    client = client_for("mtt_office")
    att = draft.intake_messages.get().attachments.get()
    page = client.get(f"/accounts/requests/{draft.pk}/confirm/").content.decode()
    assert download_url(att, "file") in page
    response = client.get(download_url(att, "file"))
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content)[:2] == b"PK"
    assert response["Content-Disposition"].endswith('.docx"')  # its checked type, not its name
    original = client.get(download_url(att.message, "original"))
    assert original["Content-Disposition"].startswith("attachment;")
    assert b"binh.tt@gmail.com" in b"".join(original.streaming_content)


def test_the_intake_log_shows_every_outcome_in_constant_queries(
    client_for, django_assert_max_num_queries
):
    client = client_for("mtt_office")
    ingest(message(attachments=[("bm02.docx", bm_docx(), DOCX)]), source="test")
    ingest(message(body="Xin chào"), source="test")
    with django_assert_max_num_queries(12) as few:
        page = client.get("/accounts/mail/").content.decode()
    assert "Không có nội dung dùng được" in page and "Đã tạo yêu cầu nháp" in page
    assert "Không có đơn đính kèm và không có dòng ghi nhãn" in page
    # The same rows read in English: outcomes and details follow the reader's language.
    client.cookies["django_language"] = "en"
    english = client.get("/accounts/mail/").content.decode()
    assert "No usable content" in english and "No form attached and no labelled lines" in english
    client.cookies["django_language"] = "vi"
    for _ in range(15):
        ingest(message(attachments=[("bm02.docx", bm_docx(), DOCX)]), source="test")
        ingest(message(headers={"Auto-Submitted": "auto-replied"}), source="test")
    with django_assert_max_num_queries(12) as lots:
        client.get("/accounts/mail/")
    assert len(few.captured_queries) == len(lots.captured_queries)
    assert AccountRequest.objects.count() == 16


def test_a_scanned_draft_with_no_fields_opens_for_staff(client_for):
    from tests.accounts.mail.build import scan_pdf

    row, _ = ingest(
        message(
            body="Em gửi bản scan.", attachments=[("scan.pdf", scan_pdf(), ("application", "pdf"))]
        ),
        source="test",
    )
    client = client_for("mtt_office")
    detail = client.get(f"/accounts/requests/{row.request.pk}/")
    assert detail.status_code == 200 and 'data-testid="draft-banner"' in detail.content.decode()
    confirm = client.get(f"/accounts/requests/{row.request.pk}/confirm/").content.decode()
    assert "scan.pdf" in confirm and "Bản quét, không có chữ" in confirm
    assert client.get("/accounts/report/").status_code == 200


def test_a_draft_that_cannot_be_confirmed_is_returned_and_the_applicant_completes_it(
    client_for, client
):
    from tests.accounts.mail.build import scan_pdf

    row, _ = ingest(
        message(
            sender="an.nv@gmail.com",
            body="Em gửi bản scan.",
            attachments=[("scan.pdf", scan_pdf(), ("application", "pdf"))],
        ),
        source="test",
    )
    req = row.request
    office = client_for("mtt_office")
    office.post(f"/accounts/requests/{req.pk}/verify/")
    req.refresh_from_db()
    assert req.status == Status.DRAFT  # a draft is confirmed before it can be verified
    office.post(
        f"/accounts/requests/{req.pk}/reject/", {"reason": "Bản scan không đọc được, xin điền đơn."}
    )
    req.refresh_from_db()
    assert req.status == Status.REJECTED
    from portal.models import Notification

    mail = Notification.objects.get(template="accounts/request_rejected")
    assert mail.email == "an.nv@gmail.com" and "Bản scan không đọc được" in mail.body

    # The applicant opens the link from the e-mail and fills in what the scan could not give.
    client.logout()
    page = client.get(f"/accounts/track/{req.tracking_token}/correct/")
    assert page.status_code == 200
    response = client.post(
        f"/accounts/track/{req.tracking_token}/correct/",
        {
            "request_kind": "new_account",
            "family_and_middle_names": "Nguyễn Văn",
            "given_name": "An",
            "date_of_birth": "15/03/2005",
            "person_id": "20231234",
            "unit": "soict",
            "student_class": "CNTT-01",
            "cohort": "K68",
            "mobile_phone": "0912 345 678",
            "contact_email": "an.nv@gmail.com",
        },
    )
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.status == Status.SUBMITTED and req.date_of_birth is not None
