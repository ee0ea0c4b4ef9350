"""A unit's bulk upload, the registry import and the BM03 report."""

import csv
import datetime as dt
import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from accounts import bulk, services
from accounts.models import AccountRequest, RegistryImport, RegistryRecord, Status
from accounts.registry import import_registry
from tests.accounts.conftest import CHECKED_ON_PAPER


@pytest.fixture(autouse=True)
def units(db):
    from office.models import Unit

    cache.delete("accounts:unit-choices")
    hust = Unit.objects.create(code="hust", kind="university", name="Đại học Bách khoa Hà Nội")
    Unit.objects.create(code="hust-seee", kind="school", name="Trường Điện – Điện tử", parent=hust)
    Unit.objects.create(code="hust-sme", kind="school", name="Trường Cơ khí", parent=hust)
    yield
    cache.delete("accounts:unit-choices")


def csv_file(rows, name="dot1.csv"):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(bulk.COLUMNS)
    writer.writerows(rows)
    return SimpleUploadedFile(name, out.getvalue().encode("utf-8"), "text/csv")


def student_row(i, **overrides):
    row = dict(zip(bulk.COLUMNS, bulk.SAMPLE[0], strict=True))
    row["person_id"] = str(20240000 + i)
    row.update(overrides)
    return [row[c] for c in bulk.COLUMNS]


def test_a_clean_file_creates_every_request_on_a_24_hour_clock(client_for):
    client = client_for("applicant")
    rows = [student_row(i) for i in range(5)] + [bulk.SAMPLE[1]]
    response = client.post("/accounts/bulk/", {"file": csv_file(rows)})
    assert response.status_code == 302
    assert AccountRequest.objects.filter(status=Status.SUBMITTED).count() == 6
    assert AccountRequest.objects.filter(mobile_phone="+84912345678").count() == 5
    refs = sorted(AccountRequest.objects.values_list("reference", flat=True))
    assert len(set(refs)) == 6
    from portal.models import DeadlineStep

    assert DeadlineStep.objects.open().filter(step_type="accounts.review").count() == 6


def test_one_bad_row_creates_nothing_and_is_reported_by_row_and_column(client_for):
    client = client_for("applicant")
    rows = [student_row(0), student_row(1, mobile_phone="12345"), student_row(2)]
    response = client.post("/accounts/bulk/", {"file": csv_file(rows)})
    assert AccountRequest.objects.count() == 0
    errors = response.context["errors"]
    assert [(e.row, e.column) for e in errors] == [(3, "mobile_phone")]
    assert str(errors[0].column_label) == "Số điện thoại di động"


def test_duplicates_in_the_file_and_open_requests_are_errors(client_for, submit):
    submit(person_id="20240005")
    rows = [student_row(1), student_row(1), student_row(5)]
    _clean, errors = bulk.validate_rows(
        [{"_row": n + 2, **dict(zip(bulk.COLUMNS, r, strict=True))} for n, r in enumerate(rows)]
    )
    assert [(e.row, e.column) for e in errors] == [(3, "person_id"), (4, "person_id")]


def test_an_xlsx_upload_works_like_csv(client_for):
    book = Workbook()
    sheet = book.active
    sheet.append(bulk.COLUMNS)
    sheet.append(student_row(0, date_of_birth=dt.datetime(2005, 3, 15)))
    out = io.BytesIO()
    book.save(out)
    upload = SimpleUploadedFile("dot1.xlsx", out.getvalue())
    response = client_for("applicant").post("/accounts/bulk/", {"file": upload})
    assert response.status_code == 302
    assert AccountRequest.objects.get().date_of_birth == dt.date(2005, 3, 15)


def test_a_file_that_is_not_a_table_is_refused(client_for):
    upload = SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x00\x00", "image/png")
    response = client_for("applicant").post("/accounts/bulk/", {"file": upload})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]


def test_the_template_downloads_in_both_formats(client):
    text = client.get("/accounts/bulk/template.csv").content.decode("utf-8-sig")
    assert text.splitlines()[0] == ",".join(bulk.COLUMNS)
    xlsx = client.get("/accounts/bulk/template.xlsx").content
    assert load_workbook(io.BytesIO(xlsx)).active["A1"].value == "person_kind"


def test_bulk_validation_makes_no_query_per_row(db, django_assert_max_num_queries):
    rows = [
        {"_row": i + 2, **dict(zip(bulk.COLUMNS, student_row(i), strict=True))} for i in range(300)
    ]
    bulk.validate_rows(rows[:1])  # fills the unit cache
    # Open requests (1), and accounts already issued: requests, the log, the registry (3).
    with django_assert_max_num_queries(4):
        clean, errors = bulk.validate_rows(rows)
    assert len(clean) == 300 and not errors


def test_a_thousand_rows_are_received_in_a_few_queries(
    db, make_user, django_assert_max_num_queries
):
    user = make_user("applicant")
    rows = [
        {"_row": i + 2, **dict(zip(bulk.COLUMNS, student_row(i), strict=True))} for i in range(1000)
    ]
    clean, _errors = bulk.validate_rows(rows)
    # The time is bench/memory.py's to print (issue 15), not a test's to assert.
    with django_assert_max_num_queries(30):
        services.submit_batch(clean, user=user, file_name="dot.csv")
    assert AccountRequest.objects.count() == 1000


REGISTRY_CSV = """Mã số sinh viên,Họ và đệm,Tên,Ngày sinh,Đơn vị,Lớp,Khóa học,Điện thoại,Email
20231234,Nguyễn Văn,An,15/03/2005,Trường Điện – Điện tử,ĐTVT-01,K68,0912 345 678,
20231235,Trần Thị,Bích,02/11/2004,Trường Cơ khí,CK-01,K68,0987111222,
20231236,Lê,Cường,99/99/2004,Trường Cơ khí,CK-01,K68,,
,Không,Mã,01/01/2004,,,,,
"""


def test_a_registry_import_upserts_by_id_and_summarises(db):
    first = import_registry("student", SimpleUploadedFile("sv.csv", REGISTRY_CSV.encode()))
    assert (first.added, first.changed, first.unchanged, first.rejected) == (2, 0, 0, 2)
    assert [r["row"] for r in first.rejections] == [4, 5]
    changed = REGISTRY_CSV.replace("0987111222", "0987111333")
    second = import_registry("student", SimpleUploadedFile("sv.csv", changed.encode()))
    assert (second.added, second.changed, second.unchanged) == (0, 1, 1)
    assert RegistryRecord.objects.get(person_id="20231235").mobile_phone == "+84987111333"
    assert RegistryRecord.objects.get(person_id="20231234").mobile_phone == "+84912345678"


def test_the_import_registry_command_reads_a_file(db, tmp_path, capsys):
    path = tmp_path / "sv.csv"
    path.write_text(REGISTRY_CSV, encoding="utf-8")
    call_command("import_registry", "students", str(path))
    out = capsys.readouterr().out
    assert "added 2" in out and "rejected 2" in out
    assert RegistryImport.objects.count() == 1


def test_the_office_imports_a_registry_from_the_page(client_for):
    response = client_for("mtt_office").post(
        "/accounts/registries/",
        {"kind": "student", "file": SimpleUploadedFile("sv.csv", REGISTRY_CSV.encode())},
    )
    assert response.context["summary"].added == 2
    assert 'data-testid="import-summary"' in response.content.decode()


def test_bm03_counts_by_unit_kind_and_outcome_with_on_time_shares(client_for, submit, office, now):
    a = submit(person_id="20230001")
    submit("staff", person_id="CB1")
    b = submit(person_id="20230002")
    services.verify_request(a.pk, office, now=now + dt.timedelta(hours=2), reason=CHECKED_ON_PAPER)
    services.reject_request(b.pk, office, "Sai", now=now + dt.timedelta(hours=30))
    client = client_for("mtt_office_head")
    response = client.get("/accounts/report/", {"date_from": "01/03/2026", "date_to": "31/03/2026"})
    report = response.context["report"]
    assert report.totals["total"] == 3
    assert report.totals["student_new"] == 2 and report.totals["staff_new"] == 1
    assert report.totals["returned"] == 1
    review = report.steps[0]
    assert (review["count"], review["on_time"]) == (2, 1)
    assert review["share"] == 50.0
    assert review["median_hours"] == 16.0
    xlsx = client.get(
        "/accounts/report/bm03.xlsx", {"date_from": "01/03/2026", "date_to": "31/03/2026"}
    )
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert "MTT.QT06.BM03" in sheet["A1"].value
    printable = client.get("/accounts/report/", {"date_from": "01/03/2026", "print": "1"})
    assert 'data-action="print"' in printable.content.decode()  # portal.js prints (CSP)


def test_loaddemo_fills_every_state_some_overdue_and_is_idempotent(db):
    from django.utils import timezone

    from accounts import demo
    from portal import demo as portal_demo

    portal_demo.load()
    demo.load()
    count = AccountRequest.objects.count()
    demo.load()
    assert AccountRequest.objects.count() == count
    assert set(AccountRequest.objects.values_list("status", flat=True)) == set(Status.values)
    assert (
        AccountRequest.objects.filter(
            status__in=["submitted", "in_review", "verified", "issued", "recorded"],
            due_at__lt=timezone.now(),
        ).count()
        >= 4
    )
    assert RegistryRecord.objects.filter(kind="staff").exists()


def test_a_bulk_row_longer_than_a_column_is_an_error_on_its_row_not_a_cut():
    from accounts.bulk import _check_row

    raw = {
        "family_and_middle_names": "Nguyễn " * 20,
        "given_name": "An",
        "date_of_birth": "15/03/2005",
        "person_id": "CB1024",
        "unit_code": "hust-sme",
        "mobile_phone": "0912345678",
        "contact_email": "an@example.com",
        "note": "x" * 1001,
    }
    _data, errors = _check_row(raw, "staff", "new_account", {"hust-sme": "Trường Cơ khí"})
    columns = {column for column, _m in errors}
    assert columns == {"family_and_middle_names", "note"}


def test_a_wrong_header_names_the_expected_and_the_found_columns(client_for):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Họ tên", "MSSV", "Lớp", "Điện thoại"])
    writer.writerow(["Nguyễn Văn An", "20231234", "ĐTVT-01", "0912345678"])
    upload = SimpleUploadedFile("ds.csv", out.getvalue().encode("utf-8"), "text/csv")
    response = client_for("applicant").post("/accounts/bulk/", {"file": upload})
    message = " ".join(response.context["form"].errors["file"])
    assert "person_kind" in message and "date_of_birth" in message  # what is missing
    assert "Họ tên" in message and "Điện thoại" in message  # what was found
    assert response.context["errors"] == []  # not an error on every row
    assert AccountRequest.objects.count() == 0


def test_the_bulk_page_lists_the_unit_codes_it_accepts(client_for):
    body = client_for("applicant").get("/accounts/bulk/").content.decode()
    assert "<code>hust-seee</code>" in body and "Trường Điện – Điện tử" in body


def test_each_applicant_of_a_bulk_upload_gets_their_own_link_in_their_language(client_for):
    from portal.models import Notification
    from portal.notifications import build_email

    rows = [student_row(0, contact_email="a0@example.com"), bulk.SAMPLE[1]]  # vi, then en
    client = client_for("applicant", email="unit@example.com")
    client.post("/accounts/bulk/", {"file": csv_file(rows)})
    first = AccountRequest.objects.get(contact_email="a0@example.com")
    second = AccountRequest.objects.get(contact_email="binh.tran@example.com")
    outbox = {n.email: n for n in Notification.objects.filter(template="accounts/request_received")}
    delivered = {email: build_email(n).body for email, n in outbox.items()}
    assert first.tracking_token in delivered["a0@example.com"]
    assert second.tracking_token not in delivered["a0@example.com"]
    assert "đã tiếp nhận" in delivered["a0@example.com"]
    assert outbox["binh.tran@example.com"].language == "en"
    assert "has received your request" in delivered["binh.tran@example.com"]
    # The link is sealed in the outbox row: only the delivered mail holds it.
    assert first.tracking_token not in outbox["a0@example.com"].body
    receipt = Notification.objects.get(template="accounts/batch_received")
    for req in (first, second):
        assert req.tracking_token not in build_email(receipt).body  # never the uploader's


def test_a_bulk_row_for_someone_with_an_account_is_an_error(issued, manager, now):
    req = issued(person_id="20240003")
    services.record_issuance(req.pk, manager, now=now)
    _clean, errors = bulk.validate_rows(
        [{"_row": 2, **dict(zip(bulk.COLUMNS, student_row(3), strict=True))}]
    )
    assert [(e.row, e.column) for e in errors] == [(2, "person_id")]


def test_bm03_follows_a_renamed_unit_and_the_printed_form_keeps_the_old_name(
    client_for, submit, now
):
    from office.models import Unit

    req = submit(unit_code="hust-seee", unit_name="Trường Điện – Điện tử", at=timezone.now())
    assert req.unit == Unit.objects.get(code="hust-seee")
    Unit.objects.filter(code="hust-seee").update(name="Trường Điện và Điện tử")
    client = client_for("mtt_office_head")
    report = client.get("/accounts/report/").content.decode()
    assert "Trường Điện và Điện tử" in report and "Trường Điện – Điện tử" not in report
    printed = client.get(f"/accounts/track/{req.tracking_token}/print/").content.decode()
    assert "Trường Điện – Điện tử" in printed  # the name as it was at submission


@pytest.mark.django_db(transaction=True)
def test_a_committed_bulk_upload_keeps_its_links_history_and_clock_and_the_form_goes_on(
    client_for, submit
):
    """Committed for real (the other tests roll back): the constraints checked at commit hold,
    each mailed link opens its request, and a request from the web form afterwards is a new
    one (the bulk rows took their ids from the same sequences)."""
    from urllib.parse import urlsplit

    from portal.models import DeadlineStep, Notification
    from portal.notifications import build_email

    rows = [student_row(i, contact_email=f"k{i}@example.com") for i in range(3)]
    client = client_for("applicant")
    response = client.post("/accounts/bulk/", {"file": csv_file(rows)})
    assert response.status_code == 302
    requests = list(AccountRequest.objects.order_by("id"))
    assert len(requests) == 3
    for req in requests:
        mail = build_email(
            Notification.objects.get(template="accounts/request_received", email=req.contact_email)
        )
        link = next(w for w in mail.body.split() if "/accounts/track/" in w)
        page = client.get(urlsplit(link).path)
        assert page.status_code == 200 and req.reference in page.content.decode()
        assert [e.action for e in req.events.all()] == ["submitted"]
        assert DeadlineStep.objects.for_object(req).open().count() == 1
    later = submit(person_id="20249999", at=timezone.now())
    assert later.pk > requests[-1].pk
    assert later.reference not in {r.reference for r in requests}
