"""Reading CSV and XLSX uploads into rows of text, with type and size checks.

Every limit is checked before the rows are read, so a small file cannot exhaust memory (a
4.9 KB XLSX declaring A1:XFD1048576 did): the uploaded size, for XLSX the uncompressed size
and the compression ratio of the zip, the declared dimension of the sheet, then the rows and
columns as they stream (openpyxl read_only; the declared dimension may lie). The person is
told which limit the file hit. The limits are settings (TABULAR_MAX_*).
"""

import csv
import datetime as dt
import io
import zipfile

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from portal.exports import xlsx_append
from portal.text import fold


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, f"TABULAR_{name}", default))


def max_bytes() -> int:
    return _limit("MAX_BYTES", 10 * 1024 * 1024)


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


def read_table(
    uploaded, aliases: dict[str, str], raw_header: list | None = None
) -> tuple[list[str], list[dict]]:
    """(columns, rows) of an uploaded CSV or XLSX file; columns are mapped through `aliases`
    (folded header → field name). Rows are dicts of text; row numbers are as in the file.
    `raw_header`, when given, receives the first row as written (for header errors).
    Every row is read, and every limit checked, before the header is looked at."""
    columns, rows = _table(iter(list(_raw_rows(uploaded))), aliases, raw_header)
    return columns, list(rows)


def iter_table(uploaded, aliases: dict[str, str], raw_header: list | None = None):
    """read_table() one row at a time: (columns, an iterator of rows), so a caller that keeps
    only what it needs of each row never holds the whole file as rows (the bulk upload). The
    size and the declared dimensions are checked at once; a row or column over the limit
    raises FileError from the iteration, when it comes."""
    return _table(_raw_rows(uploaded), aliases, raw_header)


def _raw_rows(uploaded):
    name = (getattr(uploaded, "name", "") or "").lower()
    size = getattr(uploaded, "size", None)
    if size is not None and size > max_bytes():
        raise FileError(_too_large())
    data = uploaded.read(max_bytes() + 1)
    if len(data) > max_bytes():
        raise FileError(_too_large())
    if name.endswith(".xlsx") or data[:2] == b"PK":
        return _xlsx_rows(data)
    if name.endswith((".csv", ".txt")) or not name:
        return _csv_rows(data)
    raise FileError(_("Upload a CSV or XLSX file."))


def _table(raw_rows, aliases, raw_header):
    rows = (r for r in raw_rows if any(c for c in r))
    first = next(rows, None)
    if first is None:
        raise FileError(_("The file is empty."))
    if raw_header is not None:
        raw_header.extend(h for h in first if h)
    header = [aliases.get(fold(h).replace(" ", "_"), aliases.get(fold(h), "")) for h in first]
    if not any(header):
        raise FileError(_("The first row must name the columns (see the template)."))

    def records():
        for number, raw in enumerate(rows, start=2):
            row = {"_row": number}
            for key, value in zip(header, raw, strict=False):
                if key:
                    row[key] = value
            yield row

    return [h for h in header if h], records()


def _csv_rows(data: bytes):
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
    return _csv_stream(text, dialect)


def _csv_stream(text, dialect):
    try:
        yield from _capped(
            csv.reader(io.StringIO(text), dialect), lambda row: [c.strip() for c in row]
        )
    except csv.Error as exc:
        raise FileError(_("This does not look like a CSV file.")) from exc


def _capped(rows, convert):
    """The rows, converted, as they stream; stop at the first row or column over the limit."""
    max_rows, max_columns = _limit("MAX_ROWS", 20_000), _limit("MAX_COLUMNS", 50)
    for count, row in enumerate(rows, start=1):
        if len(row) > max_columns:
            row = list(row)
            # Trailing empty cells (a sheet formatted far to the right) do not count.
            while len(row) > max_columns and (row[-1] is None or row[-1] == ""):
                row.pop()
            if len(row) > max_columns:
                raise FileError(_too_many_columns(max_columns))
        if count > max_rows + 1:  # + the header row
            raise FileError(_too_many_rows(max_rows))
        yield convert(row)


def _too_large():
    return _("The file is larger than %(size)s.") % {"size": filesizeformat(max_bytes())}


def _too_many_rows(limit: int):
    return _("The file has more than %(count)s rows; split it into several files.") % {
        "count": f"{limit:,}".replace(",", ".")
    }


def _too_many_columns(limit: int):
    return _("The file has more than %(count)s columns; use the template's columns.") % {
        "count": limit
    }


def _check_zip(data: bytes) -> None:
    """Before openpyxl reads anything: the uncompressed size and the compression ratio."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise FileError(_("This does not look like an XLSX workbook.")) from exc
    if len(members) > _limit("MAX_ZIP_MEMBERS", 1000):
        raise FileError(_("This does not look like an XLSX workbook."))
    unpacked = sum(m.file_size for m in members)
    packed = max(1, sum(m.compress_size for m in members))
    if unpacked > _limit("MAX_UNCOMPRESSED_BYTES", 100 * 1024 * 1024):
        raise FileError(
            _("The workbook unpacks to more than %(size)s; split it into several files.")
            % {"size": filesizeformat(_limit("MAX_UNCOMPRESSED_BYTES", 100 * 1024 * 1024))}
        )
    if unpacked / packed > _limit("MAX_ZIP_RATIO", 200):
        raise FileError(
            _(
                "The workbook is compressed %(ratio)s times, more than a real spreadsheet is; "
                "save it again from your spreadsheet program, or upload it as CSV."
            )
            % {"ratio": int(unpacked / packed)}
        )


def _xlsx_rows(data: bytes):
    from openpyxl import load_workbook

    _check_zip(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # zip, xml or openpyxl errors: all mean "not a workbook"
        raise FileError(_("This does not look like an XLSX workbook.")) from exc
    return _xlsx_stream(book)


def _xlsx_stream(book):
    try:
        sheet = book.worksheets[0]
        # The declared dimension (A1:XFD1048576) is checked, then ignored: the rows stream
        # as they are in the file, never padded out to the declared size.
        max_rows, max_columns = _limit("MAX_ROWS", 20_000), _limit("MAX_COLUMNS", 50)
        declared_rows, declared_columns = sheet.max_row or 0, sheet.max_column or 0
        if declared_rows > max_rows + 1:
            raise FileError(_too_many_rows(max_rows))
        if declared_columns > max_columns:
            raise FileError(_too_many_columns(max_columns))
        sheet.reset_dimensions()
        yield from _capped(sheet.iter_rows(values_only=True), lambda row: [_cell(v) for v in row])
    except FileError:
        raise
    except Exception as exc:  # a broken sheet part
        raise FileError(_("This does not look like an XLSX workbook.")) from exc
    finally:
        book.close()


def xlsx_response_bytes(header: list[str], rows, title: str = "Sheet1") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook(write_only=False)
    sheet = book.active
    sheet.title = title[:31]
    xlsx_append(sheet, header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        xlsx_append(sheet, row)
    for column in sheet.columns:
        width = max((len(str(c.value or "")) for c in column[:200]), default=8)
        sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 8), 50)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
