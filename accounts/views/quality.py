"""The public service-quality page of procedure MTT.QT06 (issue 17), in the manner of the
public-service portals' index (Decision 766/QĐ-TTg): counts and durations per month, a chart and
the same figures as CSV. No log-in, no personal data, counts under 5 suppressed."""

import csv
import io

from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control

from .. import selectors
from ..deadlines import STEP_LABELS

CACHE_SECONDS = 600


def _rows():
    # The same figures for every visitor for ten minutes: the page is public and may be busy.
    key = f"accounts:quality:{timezone.localdate():%Y-%m-%d}"
    rows = cache.get(key)
    if rows is None:
        rows = selectors.service_quality()
        cache.set(key, rows, CACHE_SECONDS)
    return rows


@cache_control(public=True, max_age=CACHE_SECONDS)
def quality(request):
    rows = _rows()
    return render(
        request,
        "accounts/quality.html",
        {
            "rows": rows,
            "chart": selectors.quality_chart(rows),
            "step_labels": STEP_LABELS,
            "suppress_below": selectors.SUPPRESS_BELOW,
        },
    )


def _number(value, digits=1):
    return "" if value is None else f"{value:.{digits}f}"


@cache_control(public=True, max_age=CACHE_SECONDS)
def quality_csv(request):
    rows = _rows()
    out = io.StringIO()
    writer = csv.writer(out)
    steps = [key for key, *_rest in rows[0].steps] if rows else []
    writer.writerow(
        [
            _("Month"),
            _("Received"),
            _("Finished"),
            _("Finished on time (%)"),
            _("Verified automatically (%)"),
            _("Overall: median hours"),
            _("Overall: p90 hours"),
            *[
                f"{STEP_LABELS[key]}: {label}"
                for key in steps
                for label in (_("median hours"), _("p90 hours"))
            ],
        ]
    )
    for r in rows:
        median, p90 = r.overall
        writer.writerow(
            [
                f"{r.month:%m/%Y}",
                r.received_shown,
                r.finished_shown,
                _number(r.on_time_percent),
                _number(r.auto_percent),
                _number(median),
                _number(p90),
                *[_number(v) for _key, m, p in r.steps for v in (m, p)],
            ]
        )
    response = HttpResponse(out.getvalue().encode("utf-8-sig"), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="mtt-qt06-quality.csv"'
    return response
