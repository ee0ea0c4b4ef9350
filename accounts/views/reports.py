"""Step 6: the BM03 summary report (page and XLSX)."""

import io

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from portal.access import role_required
from portal.exports import xlsx_append

from .. import selectors
from ..forms import (
    ReportForm,
)

# --- step 6: BM03 ---------------------------------------------------------------------------


@role_required("mtt_office_head", "mtt_office")
def report(request):
    form = ReportForm(request.GET or None)
    date_from, date_to = form.period()
    data = selectors.bm03(date_from, date_to)
    template = "accounts/report_print.html" if request.GET.get("print") else "accounts/report.html"
    return render(
        request,
        template,
        {
            "form": form,
            "report": data,
            "legend": selectors.bm03_legend(),
            "query": request.GET.urlencode(),
        },
    )


@role_required("mtt_office_head", "mtt_office")
def report_xlsx(request):
    from openpyxl import Workbook
    from openpyxl.styles import Font

    date_from, date_to = ReportForm(request.GET or None).period()
    data = selectors.bm03(date_from, date_to)
    book = Workbook()
    sheet = book.active
    sheet.title = "BM03"
    bold = Font(bold=True)
    xlsx_append(
        sheet,
        [
            "MTT.QT06.BM03 — "
            + _("Summary and statistics of issuing e-mail accounts and re-issuing passwords")
        ],
    )
    sheet["A1"].font = Font(bold=True, size=13)
    xlsx_append(sheet, [_("Period"), f"{date_from:%d/%m/%Y} – {date_to:%d/%m/%Y}"])
    xlsx_append(sheet, [])
    header = [
        _("Unit"),
        _("Staff: new"),
        _("Staff: reset"),
        _("Students: new"),
        _("Students: reset"),
        _("Done"),
        _("Returned"),
        _("In progress"),
        _("Total"),
        _("Verified automatically"),
    ]
    xlsx_append(sheet, header)
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    keys = selectors.BM03_KEYS
    for row in data.rows:
        xlsx_append(sheet, [row["unit"], *[row[k] for k in keys]])
    xlsx_append(sheet, [_("Total"), *[data.totals[k] for k in keys]])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    xlsx_append(sheet, [])
    xlsx_append(
        sheet,
        [
            _("Step"),
            _("Steps closed"),
            _("On time"),
            _("Share on time (%)"),
            _("Median time (hours)"),
        ],
    )
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for step in data.steps:
        xlsx_append(
            sheet,
            [
                f"{step['number']}. {step['label']}",
                step["count"],
                step["on_time"],
                round(step["share"], 1) if step["share"] is not None else "",
                round(step["median_hours"], 1) if step["median_hours"] is not None else "",
            ],
        )
    xlsx_append(sheet, [])
    xlsx_append(
        sheet,
        [
            _("Issued by"),
            _("Accounts issued"),
            _("On time"),
            _("Share on time (%)"),
            _("Median time (hours)"),
        ],
    )
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for tech in data.technicians:
        xlsx_append(
            sheet,
            [
                tech["name"],
                tech["count"],
                tech["on_time"],
                round(tech["share"], 1),
                round(tech["median_hours"], 1),
            ],
        )
    sheet.column_dimensions["A"].width = 48
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="MTT.QT06.BM03-{date_from:%Y%m%d}-{date_to:%Y%m%d}.xlsx"'
    )
    return response
