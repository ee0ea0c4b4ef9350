"""Applicants with an account and bulk intake (their requests, uploads, batches), and the
registries."""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from portal.access import has_role, role_required
from portal.exports import csv_writer

from .. import bulk, services
from ..forms import (
    BulkUploadForm,
    RegistryUploadForm,
    unit_choices,
)
from ..models import (
    AccountRequest,
    Batch,
    PersonKind,
    RegistryImport,
    RegistryRecord,
)
from ..registry import import_registry
from ..tabular import FileError, xlsx_response_bytes
from ._common import STAFF_ROLES

# --- applicants with an account: their requests, bulk upload -----------------------------------


@login_required
def mine(request):
    user = request.user
    q = Q(created_by=user)
    if user.email:
        q |= Q(contact_email__iexact=user.email)
    requests = AccountRequest.objects.filter(q).order_by("-submitted_at")[:100]
    batches = Batch.objects.filter(created_by=user)[:20]
    return render(request, "accounts/mine.html", {"requests": requests, "batches": batches})


@role_required("applicant", "mtt_office")
def bulk_upload(request):
    errors, form = [], BulkUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        try:
            rows, errors = bulk.parse_upload(uploaded)
        except FileError as exc:
            form.add_error("file", exc.message)
            rows = []
        if rows and not errors:
            batch = services.submit_batch(rows, user=request.user, file_name=uploaded.name)
            messages.success(
                request,
                _("%(count)s requests received from %(file)s.")
                % {"count": batch.row_count, "file": uploaded.name},
            )
            return redirect("accounts:batch", pk=batch.pk)
        if not rows and not errors and form.is_valid() and not form.errors:
            form.add_error("file", _("The file has no rows."))
    return render(
        request,
        "accounts/bulk.html",
        {
            "form": form,
            "errors": errors[:500],
            "error_count": len(errors),
            "columns": [(c, bulk.COLUMN_LABELS[c]) for c in bulk.COLUMNS],
            "required_columns": bulk.REQUIRED_COLUMNS,
            "units": unit_choices(),
        },
    )


def bulk_template(request, fmt):
    header, rows = bulk.COLUMNS, bulk.SAMPLE
    if fmt == "xlsx":
        response = HttpResponse(
            xlsx_response_bytes(header, rows, "BM01-BM02"),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        out = io.StringIO()
        writer = csv_writer(out)
        writer.writerow(header)
        writer.writerows(rows)
        response = HttpResponse(
            out.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="mtt-qt06-bulk-template.{fmt}"'
    return response


@login_required
def batch_detail(request, pk):
    batch = get_object_or_404(Batch, pk=pk)
    if batch.created_by_id != request.user.pk and not has_role(request.user, *STAFF_ROLES):
        raise Http404
    requests = batch.requests.order_by("reference")[:500]
    return render(request, "accounts/batch.html", {"batch": batch, "requests": requests})


# --- registries ----------------------------------------------------------------------------


@role_required("mtt_office")
def registries(request):
    form = RegistryUploadForm(request.POST or None, request.FILES or None)
    summary = None
    if request.method == "POST" and form.is_valid():
        try:
            summary = import_registry(
                form.cleaned_data["kind"], form.cleaned_data["file"], user=request.user
            )
            messages.success(request, _("Registry imported."))
        except FileError as exc:
            form.add_error("file", exc.message)
    q = request.GET.get("q", "")
    records = RegistryRecord.objects.none()
    if q:
        from portal.text import fold_words

        records = RegistryRecord.objects.all()
        for word in fold_words(q):
            records = records.filter(search_key__contains=word)
        records = records.order_by("kind", "person_id")[:50]
    return render(
        request,
        "accounts/registries.html",
        {
            "form": form,
            "summary": summary,
            "imports": RegistryImport.objects.all()[:10],
            "counts": {k: RegistryRecord.objects.filter(kind=k).count() for k in PersonKind.values},
            "records": records,
            "q": q,
        },
    )
