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
