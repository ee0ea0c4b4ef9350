"""CreateEmailHUST-log is permanent: the database refuses UPDATE and DELETE."""

import pytest
from django.db import DatabaseError, connection, transaction

from accounts import services
from accounts.models import AppendOnlyError, IssuanceLogEntry


@pytest.fixture
def entry(issued, manager, now):
    return services.record_issuance(issued().pk, manager, now=now)


def test_sql_cannot_update_a_log_row(entry):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_issuancelogentry SET address = 'x@hust.edu.vn'")
    assert IssuanceLogEntry.objects.get().address == entry.address


def test_sql_cannot_delete_a_log_row(entry):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM accounts_issuancelogentry")
    assert IssuanceLogEntry.objects.count() == 1


def test_the_orm_cannot_update_or_delete_either(entry):
    with pytest.raises(DatabaseError), transaction.atomic():
        IssuanceLogEntry.objects.filter(pk=entry.pk).update(note="edited")
    with pytest.raises(DatabaseError), transaction.atomic():
        IssuanceLogEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()


def test_a_correction_is_a_new_row_pointing_at_the_old_one(entry, manager, now):
    fixed = services.correct_log_entry(
        entry.pk, manager, address="an.nguyenvan9@sis.hust.edu.vn", note="Gõ nhầm địa chỉ", now=now
    )
    assert IssuanceLogEntry.objects.count() == 2
    assert fixed.corrects == entry and fixed.action == "correction"
    assert IssuanceLogEntry.objects.get(pk=entry.pk).address == entry.address


def test_the_admin_offers_no_change_and_no_delete(entry, client, make_user):
    admin = make_user(is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.get(f"/admin/accounts/issuancelogentry/{entry.pk}/delete/")
    assert response.status_code == 403
    response = client.post(
        f"/admin/accounts/issuancelogentry/{entry.pk}/change/", {"address": "x@hust.edu.vn"}
    )
    assert response.status_code == 403
    assert IssuanceLogEntry.objects.get().address == entry.address


def test_a_note_written_as_a_formula_is_exported_as_text(issued, manager, client, now):
    import csv
    import io

    from openpyxl import load_workbook

    services.record_issuance(issued().pk, manager, now=now, note='=HYPERLINK("http://x")')
    client.force_login(manager)
    body = client.get("/accounts/log/export.csv").getvalue().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[1][-1] == '\'=HYPERLINK("http://x")'
    sheet = load_workbook(io.BytesIO(client.get("/accounts/log/export.xlsx").getvalue())).active
    assert sheet.cell(row=2, column=14).data_type == "s"
    assert sheet.cell(row=2, column=14).value == '=HYPERLINK("http://x")'


def test_the_manager_sees_the_row_and_exports_csv_and_xlsx(entry, client, manager):
    client.force_login(manager)
    page = client.get("/accounts/log/")
    assert entry.address in page.content.decode()
    csv = client.get("/accounts/log/export.csv")
    assert entry.address in csv.getvalue().decode("utf-8-sig")
    xlsx = client.get("/accounts/log/export.xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_log_exports_are_streamed_not_built_in_memory(entry, client, manager):
    """Issue 15: 100,000 log rows must not be one string in memory. The CSV comes as a
    StreamingHttpResponse in chunks; the XLSX is written in openpyxl's write-only mode to a
    temporary file and streamed from it (FileResponse)."""
    import io

    from django.http import FileResponse, StreamingHttpResponse
    from openpyxl import load_workbook

    from portal import exports

    client.force_login(manager)
    csv_response = client.get("/accounts/log/export.csv")
    assert isinstance(csv_response, StreamingHttpResponse) and csv_response.streaming
    chunks = list(exports.csv_chunks(["a"], ([i] for i in range(2 * exports.CSV_CHUNK_ROWS))))
    assert len(chunks) == 3  # the first thousand rows leave before the second are written
    assert entry.address in b"".join(csv_response.streaming_content).decode("utf-8-sig")
    xlsx_response = client.get("/accounts/log/export.xlsx")
    assert isinstance(xlsx_response, FileResponse) and xlsx_response.streaming
    sheet = load_workbook(io.BytesIO(xlsx_response.getvalue())).active
    assert entry.address in [c.value for c in sheet[2]]
