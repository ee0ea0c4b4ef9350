"""The consolidated report (step 11) as an XLSX workbook (openpyxl)."""

from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from portal.exports import xlsx_append

HEADER_FILL = PatternFill("solid", fgColor="F0F2F5")


def _dt(value):
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if value else ""


def _sheet(ws, headers, rows, widths):
    xlsx_append(ws, headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    for row in rows:
        xlsx_append(ws, row)
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(vertical="top", wrap_text=True)
    ws.freeze_panes = "A2"


def report_workbook(plan, data) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _("Items")[:31]
    headers = [
        _("No."), _("Topic"), _("Kind"), _("Question or opinion"), _("Faculty/institute/centre"),
        _("Times raised"), _("Status"), _("Department"), _("Answer due"), _("Overdue"),
        _("Answered by"), _("Answer"), _("Official letter no."),
    ]  # fmt: skip
    overdue_ids = {q.pk for q in data["overdue"]}
    rows = [
        [
            q.pk,
            q.topic.display_name,
            q.get_kind_display(),
            q.text,
            q.unit_label,
            q.source_count,
            q.get_status_display(),
            q.department.display_name if q.department_id else "",
            _dt(q.due_at),
            _("yes") if q.pk in overdue_ids else "",
            q.answerer_label,
            q.answer_text,
            q.letter_number,
        ]
        for q in data["items"]
    ]
    _sheet(ws, headers, rows, [6, 28, 12, 60, 28, 10, 22, 28, 17, 9, 28, 70, 16])

    summary = wb.create_sheet(_("By topic")[:31])
    _sheet(
        summary,
        [_("Topic"), _("Items"), _("Times raised"), _("Answered"), _("Overdue")],
        [
            [g.topic.display_name if g.topic else "", len(g.items), g.count, g.answered, g.overdue]
            for g in data["groups"]
        ],
        [40, 10, 14, 12, 10],
    )
    units = wb.create_sheet(_("By unit")[:31])
    _sheet(units, [_("Faculty/institute/centre"), _("Times raised")], data["by_unit"], [40, 14])
    info = wb.create_sheet(_("Report")[:31])
    info.append([_("Plan"), plan.number])
    info.append([_("Academic year"), plan.academic_year])
    info.append([_("Generated"), _dt(timezone.now())])
    info.append([_("Items"), data["total_items"]])
    info.append([_("Times raised"), data["total_raised"]])
    info.column_dimensions["A"].width = 22
    info.column_dimensions["B"].width = 30
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
