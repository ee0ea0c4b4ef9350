"""Reading CSV and XLSX uploads into rows of text, with type and size checks."""

import csv
import datetime as dt
import io

from django.utils.translation import gettext_lazy as _

from portal.text import fold

MAX_BYTES = 10 * 1024 * 1024


class FileError(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_table(uploaded, aliases: dict[str, str]) -> tuple[list[str], list[dict]]:
    """(columns, rows) of an uploaded CSV or XLSX file; columns are mapped through `aliases`
    (folded header → field name). Rows are dicts of text; row numbers are as in the file."""
    name = (getattr(uploaded, "name", "") or "").lower()
    size = getattr(uploaded, "size", None)
    if size is not None and size > MAX_BYTES:
        raise FileError(_("The file is larger than 10 MB."))
    data = uploaded.read()
    if name.endswith(".xlsx") or data[:2] == b"PK":
        rows = _xlsx_rows(data)
    elif name.endswith((".csv", ".txt")) or not name:
        rows = _csv_rows(data)
    else:
        raise FileError(_("Upload a CSV or XLSX file."))
    rows = [r for r in rows if any(c for c in r)]
    if not rows:
        raise FileError(_("The file is empty."))
    header = [aliases.get(fold(h).replace(" ", "_"), aliases.get(fold(h), "")) for h in rows[0]]
    if not any(header):
        raise FileError(_("The first row must name the columns (see the template)."))
    out = []
    for number, raw in enumerate(rows[1:], start=2):
        row = {"_row": number}
        for key, value in zip(header, raw, strict=False):
            if key:
                row[key] = value
        out.append(row)
    return [h for h in header if h], out


def _csv_rows(data: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "cp1258", "latin-1"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if "\x00" in text:
        raise FileError(_("This does not look like a CSV file."))
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text), dialect)]
    except csv.Error as exc:  # e.g. a line break inside an unquoted field
        raise FileError(_("This does not look like a CSV file.")) from exc


def _xlsx_rows(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # zip, xml or openpyxl errors: all mean "not a workbook"
        raise FileError(_("This does not look like an XLSX workbook.")) from exc
    sheet = book.worksheets[0]
    rows = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    book.close()
    return rows


def xlsx_response_bytes(header: list[str], rows, title: str = "Sheet1") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook(write_only=False)
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(list(row))
    for column in sheet.columns:
        width = max((len(str(c.value or "")) for c in column[:200]), default=8)
        sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 8), 50)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
