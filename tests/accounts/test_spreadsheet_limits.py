"""Finding 3: a spreadsheet bomb is refused before it is read, and the person is told why."""

import io
import re
import zipfile

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from accounts import bulk
from accounts.models import AccountRequest, RegistryRecord
from accounts.tabular import FileError, read_table

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def units(db):
    from office.models import Unit

    cache.delete("accounts:unit-choices")
    hust = Unit.objects.create(code="hust", kind="university", name="Đại học Bách khoa Hà Nội")
    Unit.objects.create(code="hust-seee", kind="school", name="Trường Điện – Điện tử", parent=hust)
    yield
    cache.delete("accounts:unit-choices")


def workbook(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_dimension(data: bytes, ref: str) -> bytes:
    """The same workbook whose first sheet declares another dimension (what the bomb did)."""
    src, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(), body)
            dst.writestr(item, body)
    return out.getvalue()


def upload(client, data: bytes, name="dot1.xlsx"):
    return client.post("/accounts/bulk/", {"file": SimpleUploadedFile(name, data)})


def test_a_small_xlsx_declaring_the_whole_sheet_is_refused_with_the_limit(client_for):
    bomb = with_dimension(workbook([bulk.COLUMNS, ["x"] * len(bulk.COLUMNS)]), "A1:XFD1048576")
    assert len(bomb) < 10_000
    response = upload(client_for("applicant"), bomb)
    assert response.status_code == 200
    (error,) = response.context["form"].errors["file"]
    assert "20.000" in error  # the page says which limit: rows
    assert AccountRequest.objects.count() == 0


def test_the_registry_import_refuses_the_bomb_too(client_for):
    bomb = with_dimension(workbook([["person_id"], ["1"]]), "A1:XFD1048576")
    client = client_for("mtt_office")
    response = client.post(
        "/accounts/registries/", {"kind": "student", "file": SimpleUploadedFile("r.xlsx", bomb)}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert RegistryRecord.objects.count() == 0


def test_a_zip_bomb_is_refused_by_its_compression_ratio():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b" " * (60 * 1024 * 1024))
    with pytest.raises(FileError) as error:
        read_table(SimpleUploadedFile("b.xlsx", out.getvalue()), {})
    assert "compressed" in str(error.value) or "nén" in str(error.value)


def test_the_uncompressed_size_is_capped(settings):
    settings.TABULAR_MAX_UNCOMPRESSED_BYTES = 1024 * 1024
    data = workbook([[f"value {i} {j}" for j in range(10)] for i in range(5000)])
    with pytest.raises(FileError) as error:
        read_table(SimpleUploadedFile("big.xlsx", data), {})
    assert "1,0" in str(error.value) or "1.0" in str(error.value)


def test_rows_over_the_limit_are_refused_as_they_stream(settings):
    settings.TABULAR_MAX_ROWS = 100
    # The dimension says 2 rows; the file has 150: the stream is counted, not the claim.
    data = with_dimension(workbook([["person_id"]] + [[str(i)] for i in range(150)]), "A1:A2")
    with pytest.raises(FileError) as error:
        read_table(SimpleUploadedFile("rows.xlsx", data), {})
    assert "100" in str(error.value)
    csv_data = "person_id\n" + "\n".join(str(i) for i in range(150))
    with pytest.raises(FileError):
        read_table(SimpleUploadedFile("rows.csv", csv_data.encode()), {})


def test_columns_over_the_limit_are_refused(settings):
    settings.TABULAR_MAX_COLUMNS = 20
    with pytest.raises(FileError) as error:
        read_table(SimpleUploadedFile("wide.csv", (",".join(["a"] * 30) + "\n").encode()), {})
    assert "20" in str(error.value)


def test_a_file_larger_than_the_upload_limit_is_refused(settings):
    settings.TABULAR_MAX_BYTES = 1000
    with pytest.raises(FileError) as error:
        read_table(SimpleUploadedFile("big.csv", b"a,b\n" * 500), {})
    assert "1000" in str(error.value).replace(".", "").replace(",", "") or "byte" in str(
        error.value
    )
