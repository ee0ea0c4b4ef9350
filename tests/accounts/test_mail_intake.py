"""Issue 18: requests that arrive by e-mail become drafts; bad mail gets a clear outcome."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.intake.mailbox import read_folder
from accounts.intake.services import confirm_draft, ingest
from accounts.models import AccountRequest, IntakeMessage, Status
from portal.models import Notification
from portal.notifications import build_email
from tests.accounts.mail.build import DOCX, bm_docx, form_pdf, message, scan_pdf, text_pdf

RECEIVED = timezone.make_aware(dt.datetime(2026, 3, 2, 8, 15))
PDF = ("application", "pdf")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _draft(raw):
    row, created = ingest(raw, source="test")
    assert created
    assert row.outcome == "draft", row.detail_text
    return row, row.request


def test_docx_form_fills_the_draft_and_clock_runs_from_receipt(db):
    raw = message(attachments=[("Đơn BM02 – Trần Thị Bình.docx", bm_docx(), DOCX)], date=RECEIVED)
    row, req = _draft(raw)
    assert req.status == Status.DRAFT
    assert (req.family_and_middle_names, req.given_name) == ("Trần Thị", "Bình")
    assert req.date_of_birth == dt.date(2005, 3, 15)
    assert (req.person_kind, req.person_id, req.cohort) == ("student", "20231234", "K68")
    assert req.mobile_phone == "+84912345678"
    assert req.contact_email == "binh.tt@gmail.com"
    assert req.submitted_at == RECEIVED
    # The 24-hour clock started at receipt, not when the portal read the message.
    assert RECEIVED < req.due_at <= RECEIVED + dt.timedelta(days=4)
    assert row.field_sources["given_name"] == "docx: Đơn BM02 – Trần Thị Bình.docx"
    assert row.field_sources["contact_email"] == "sender"
    assert row.attachments.get().file_name == "Đơn BM02 – Trần Thị Bình.docx"
    assert not Notification.objects.exists()  # nothing goes out before staff confirm


def test_body_labels_are_read_accent_insensitively_from_an_outlook_message(db):
    body = (
        "Kinh gui Van phong MTT,\n"
        "Ho va ten: Pham Minh Duc\n"
        "MA SO SINH VIEN: 20239999\n"
        "Ngày sinh: 02/09/2004\n"
        "Khóa: K67\n"
        "Số điện thoại: 0987 654 321\n"
    )
    row, req = _draft(message(body=body, client="outlook", sender="duc.pm@outlook.com"))
    assert (req.family_and_middle_names, req.given_name, req.person_id) == (
        "Pham Minh",
        "Duc",
        "20239999",
    )
    assert req.cohort == "K67" and req.date_of_birth == dt.date(2004, 9, 2)
    assert row.field_sources["person_id"] == "body"


def test_pdf_text_fills_fields_and_a_scan_leaves_them_for_staff(db):
    pdf = text_pdf(["Ho va ten: Le Van Cuong", "Ma so can bo: CB2048", "Ngay sinh: 01/02/1980"])
    row, req = _draft(message(attachments=[("don-bm01.pdf", pdf, PDF)]))
    assert (req.given_name, req.person_id, req.person_kind) == ("Cuong", "CB2048", "staff")
    assert row.field_sources["person_id"] == "pdf: don-bm01.pdf"

    row, req = _draft(message(body="Em gửi đơn scan.", attachments=[("scan.pdf", scan_pdf(), PDF)]))
    assert req.family_and_middle_names == "" and req.date_of_birth is None
    assert "scan.pdf" in row.detail_text
    assert row.attachments.get().file_name == "scan.pdf"


def test_a_filled_pdf_form_fills_the_draft_from_its_fields(db):
    pdf = form_pdf(
        {
            "Họ và đệm": "Vũ Thị",
            "Tên": "Lan",
            "Mã số sinh viên": "20240042",
            "Ngày sinh": "05/06/2006",
            "Lớp": "KTPM-03",
        }
    )
    row, req = _draft(message(attachments=[("BM02-dien.pdf", pdf, PDF)]))
    assert (req.family_and_middle_names, req.given_name, req.person_id) == (
        "Vũ Thị",
        "Lan",
        "20240042",
    )
    assert req.date_of_birth == dt.date(2006, 6, 5) and req.student_class == "KTPM-03"
    assert req.person_kind == "student"
    assert row.field_sources["given_name"] == "pdf: BM02-dien.pdf"


def test_the_same_message_id_is_taken_once(db):
    raw = message(attachments=[("bm02.docx", bm_docx(), DOCX)])
    first, created = ingest(raw, source="imap")
    again, created_again = ingest(raw, source="imap")
    assert created and not created_again and again.pk == first.pk
    assert AccountRequest.objects.count() == 1


@pytest.mark.parametrize(
    ("raw", "outcome"),
    [
        (message(body="Xin chào, em muốn hỏi."), "empty"),
        (
            message(
                body="Đơn đây ạ",
                attachments=[("don.exe", b"MZ\x90", ("application", "x-msdownload"))],
            ),
            "bad_attachment",
        ),
        (
            message(
                subject="Fwd: Đơn xin cấp TKĐT",
                body="---------- Forwarded message ---------\nHo va ten: A B",
            ),
            "forwarded",
        ),
        (
            message(
                subject="Trả lời tự động: Vắng mặt", headers={"Auto-Submitted": "auto-replied"}
            ),
            "auto_reply",
        ),
        (message(body="x" * 2000), "too_large"),
    ],
)
def test_bad_mail_gets_a_clear_outcome_and_no_draft(db, settings, raw, outcome):
    settings.ACCOUNTS_INTAKE_MAX_BYTES = 1500 if outcome == "too_large" else 10_000_000
    row, created = ingest(raw, source="test")
    assert created and row.outcome == outcome
    assert not AccountRequest.objects.exists()


def test_confirming_a_draft_makes_a_normal_request_and_mails_the_tracking_link(
    db, make_user, settings
):
    settings.NOTIFICATION_REPLY_TO = {"accounts/": "mtt@hust.edu.vn"}
    office = make_user("mtt_office")
    _row, req = _draft(message(attachments=[("bm02.docx", bm_docx(), DOCX)], date=RECEIVED))
    due = req.due_at
    confirm_draft(req.pk, office, {"given_name": "Bính", "date_of_birth": dt.date(2005, 3, 16)})
    req.refresh_from_db()
    assert req.status == Status.SUBMITTED and req.given_name == "Bính"
    assert req.due_at == due  # the same step-3 clock, still counted from receipt
    mail = Notification.objects.get()
    assert mail.email == "binh.tt@gmail.com"
    assert req.reference in mail.subject
    # The link reaches the applicant's mail only; the stored row holds it sealed.
    assert req.tracking_token in build_email(mail).body
    assert req.tracking_token not in mail.body
    # The applicant's answer goes back to the office mailbox the intake task reads.
    assert build_email(mail).reply_to == ["mtt@hust.edu.vn"]
    assert build_email(mail).from_email == "mtt@hust.edu.vn"  # from the office's own address


def test_a_confirmed_draft_matching_the_registry_is_verified_automatically(
    db, make_user, registry_student, auto_verification
):
    # Once confirmed, a draft is a request like one from the web form: an exact registry match
    # goes on to the technician without a person (issue 17), where the admins switched it on.
    registry_student(
        family_and_middle_names="Trần Thị",
        given_name="Bình",
        unit_name="Trường Công nghệ Thông tin và Truyền thông",
        student_class="CNTT-01",
    )
    auto_verification(student=True)
    office = make_user("mtt_office")
    _row, req = _draft(message(attachments=[("bm02.docx", bm_docx(), DOCX)], date=RECEIVED))
    assert req.status == Status.DRAFT  # nothing is verified before staff confirm the draft
    confirm_draft(req.pk, office, {})
    req.refresh_from_db()
    assert req.status == Status.VERIFIED
    assert req.events.filter(action="auto_verified").exists()


def test_a_reply_with_the_reference_and_a_bounce_attach_to_their_request(db, make_user):
    _row, req = _draft(message(attachments=[("bm02.docx", bm_docx(), DOCX)]))
    link = f"https://portal.example/accounts/track/{req.tracking_token}/"
    reply, _ = ingest(
        message(
            subject=f"Re: [{req.reference}] Đơn của em",
            body=f"Em bổ sung ảnh thẻ.\n\n> Theo dõi yêu cầu tại:\n> {link}\n",
        ),
        source="test",
    )
    assert reply.outcome == "reply" and reply.request == req
    # The quoted tracking link is the applicant's secret: staff never see it in the message.
    kept = reply.original.read()
    assert req.tracking_token.encode() not in kept
    assert "Em bổ sung ảnh thẻ" in kept.decode()
    bounce = (
        "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\r\n"
        "To: mtt@hust.edu.vn\r\nSubject: Delivery Status Notification (Failure)\r\n"
        "Message-ID: <bounce-1@mx.google.com>\r\nAuto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\nContent-Type: multipart/report; "
        'report-type=delivery-status; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain\r\n\r\nAddress not found: binh.tt@gmail.com\r\n"
        "--b\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Final-Recipient: rfc822; binh.tt@gmail.com\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "--b\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Subject: [{req.reference}] Yeu cau\r\n--b--\r\n"
    ).encode()
    row, _ = ingest(bounce, source="test")
    assert row.outcome == "bounce" and row.request == req
    assert list(req.events.values_list("action", flat=True)) == [
        "received_by_email",
        "reply_received",
        "bounced",
    ]


def test_the_intake_folder_reads_each_eml_once(db, tmp_path):
    (tmp_path / "a.eml").write_bytes(message(attachments=[("bm02.docx", bm_docx(), DOCX)]))
    (tmp_path / "b.eml").write_bytes(message(body="Không có gì."))
    assert len(read_folder(tmp_path)) == 2
    assert sorted(p.name for p in (tmp_path / "done").iterdir()) == ["a.eml", "b.eml"]
    assert read_folder(tmp_path) == []
    assert sorted(IntakeMessage.objects.values_list("outcome", flat=True)) == ["draft", "empty"]


def test_the_demo_ships_two_e_mailed_requests_read_from_the_intake_folder(db, settings, tmp_path):
    from accounts.intake.mailbox import load_demo_mail

    settings.ACCOUNTS_INTAKE_DIR = tmp_path
    now = timezone.now()
    assert load_demo_mail(now) == 2
    drafts = AccountRequest.objects.filter(status=Status.DRAFT).order_by("submitted_at")
    assert [(r.full_name, r.person_kind, r.request_kind) for r in drafts] == [
        ("Hoàng Thị Mai", "student", "new_account"),
        ("Đỗ Quang Huy", "staff", "password_reset"),
    ]
    assert drafts[1].existing_address == "huy.doquang@hust.edu.vn"
    assert all(now - dt.timedelta(hours=4) < r.submitted_at < now for r in drafts)
    assert load_demo_mail(now) == 0  # loaddemo twice changes nothing
    assert AccountRequest.objects.count() == 2
