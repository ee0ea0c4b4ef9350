"""One writer for every CSV and XLSX cell the portal exports (OWASP CSV injection).

A submitted value such as `=HYPERLINK("http://evil.example","Click")` must reach the
spreadsheet as the text the person typed, never as a live formula. Every export writes its
rows through `csv_writer()` or `xlsx_append()`:

- CSV: text beginning with = + - @ tab or CR gets a leading apostrophe, as OWASP advises
  (spreadsheets show the apostrophe-quoted text as it is);
- XLSX: every text cell is stored as a string (openpyxl would store text beginning with "="
  as a formula), so the value is kept exactly, and the apostrophe is not needed.

Numbers, dates and empty cells are written as they are.
"""

import csv

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A CSV cell: text that a spreadsheet would read as a formula, quoted as text."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def safe_row(row) -> list:
    return [neutralise(v) for v in row]


class _SafeWriter:
    def __init__(self, writer):
        self._writer = writer

    def writerow(self, row):
        return self._writer.writerow(safe_row(row))

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def csv_writer(out, *args, **kwargs) -> _SafeWriter:
    """csv.writer(out, …) whose every cell goes through neutralise()."""
    return _SafeWriter(csv.writer(out, *args, **kwargs))


def xlsx_append(sheet, row) -> None:
    """sheet.append(row), with every text cell stored as a string, never as a formula."""
    row = ["" if v is None else str(v) if _is_lazy(v) else v for v in row]
    sheet.append(row)
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


def _is_lazy(value) -> bool:
    from django.utils.functional import Promise

    return isinstance(value, Promise)


# --- streamed exports: memory bounded whatever the number of rows (issue 15) -----------------

CSV_CHUNK_ROWS = 1000


def csv_chunks(header, rows):
    """The CSV's bytes, a thousand rows at a time: the BOM (spreadsheet programs then read the
    Vietnamese as UTF-8), the header, then the rows, every cell through neutralise()."""
    import io

    buffer = io.StringIO()
    writer = csv_writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(header)
    for i, row in enumerate(rows, start=1):
        writer.writerow(row)
        if i % CSV_CHUNK_ROWS == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def csv_response(header, rows, filename: str):
    """A CSV download streamed as it is written: rows is an iterator (a queryset's
    .iterator()), never a list of all of them."""
    from django.http import StreamingHttpResponse

    response = StreamingHttpResponse(
        csv_chunks(header, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_response(header, rows, filename: str, title: str = "Sheet1", widths=None):
    """An XLSX download written by openpyxl's write-only mode (rows go to disk as they come,
    not into a workbook in memory), then streamed from a temporary file."""
    import tempfile

    from django.http import FileResponse
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    for i, width in enumerate(widths or [max(len(str(h)) + 2, 12) for h in header], start=1):
        sheet.column_dimensions[get_column_letter(i)].width = min(width, 50)
    bold = Font(bold=True)
    cells = []
    for h in header:
        cell = WriteOnlyCell(sheet, value=str(h))
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)
    for row in rows:
        sheet.append([_xlsx_value(sheet, v, WriteOnlyCell) for v in row])
    out = tempfile.TemporaryFile()  # noqa: SIM115 — FileResponse closes it when sent
    book.save(out)
    out.seek(0)
    response = FileResponse(
        out,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    return response


def _xlsx_value(sheet, value, cell_class):
    """A write-only cell value; text that openpyxl would store as a formula, as a string."""
    if value is None:
        return ""
    if _is_lazy(value):
        value = str(value)
    if isinstance(value, str) and value.startswith("="):
        cell = cell_class(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value
