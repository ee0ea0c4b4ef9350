"""Step 5, the account manager: CreateEmailHUST-log, its corrections and exports."""

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from portal.access import has_role, role_required
from portal.exports import csv_response, xlsx_response
from portal.redirects import safe_next

from .. import services
from ..forms import (
    LogCorrectionForm,
)
from ..models import (
    AccountRequest,
    IssuanceLogEntry,
    Status,
)

# --- step 5: issuance log -----------------------------------------------------------------


@role_required("mtt_account_manager", "mtt_office_head")
def log(request):
    entries = IssuanceLogEntry.objects.select_related("corrects").order_by("-recorded_at", "-id")
    q = request.GET.get("q", "").strip()
    if q:
        from portal.text import fold

        entries = entries.filter(
            Q(address__icontains=q.lower())
            | Q(reference__iexact=q)
            | Q(person_id__iexact=q)
            | Q(full_name__icontains=q)
            | Q(full_name__icontains=fold(q))
        )
    to_record = (
        AccountRequest.objects.filter(status=Status.ISSUED)
        .select_related("issued_by")
        .order_by("due_at", "id")[:50]
    )
    return render(
        request,
        "accounts/log.html",
        {
            "entries": entries[:200],
            "to_record": to_record,
            "q": q,
            "now": timezone.now(),
            "can_record": has_role(request.user, "mtt_account_manager"),
        },
    )


@role_required("mtt_account_manager")
@require_POST
def record(request, pk):
    try:
        entry = services.record_issuance(pk, request.user, note=request.POST.get("note", ""))
        messages.success(
            request, _("Logged in CreateEmailHUST-log as entry %(n)s.") % {"n": entry.pk}
        )
    except services.TransitionError as exc:
        messages.error(request, exc.message)
    return redirect(safe_next(request, "accounts:log"))


@role_required("mtt_account_manager")
def log_correct(request, pk):
    entry = get_object_or_404(IssuanceLogEntry, pk=pk)
    form = LogCorrectionForm(request.POST or None, initial={"address": entry.address})
    if request.method == "POST" and form.is_valid():
        try:
            services.correct_log_entry(pk, request.user, **form.cleaned_data)
            messages.success(request, _("The correction was added as a new entry."))
            return redirect("accounts:log")
        except services.TransitionError as exc:
            form.add_error(None, exc.message)
    return render(request, "accounts/log_correct.html", {"entry": entry, "form": form})


# gettext_noop marks the headers for the catalogue; they are translated when the file is made.
LOG_HEADER = [
    gettext_noop("No."), gettext_noop("Logged at"), gettext_noop("Reference"),
    gettext_noop("Full name"), gettext_noop("Staff / student"), gettext_noop("ID"),
    gettext_noop("Unit"), gettext_noop("Address"), gettext_noop("Action"),
    gettext_noop("Issued at"), gettext_noop("Issued by"), gettext_noop("Logged by"),
    gettext_noop("Corrects"), gettext_noop("Note"),
]  # fmt: skip


def _log_rows():
    for e in IssuanceLogEntry.objects.order_by("recorded_at", "id").iterator(chunk_size=2000):
        yield [
            e.pk,
            timezone.localtime(e.recorded_at).strftime("%d/%m/%Y %H:%M"),
            e.reference,
            e.full_name,
            e.get_person_kind_display(),
            e.person_id,
            e.unit_name,
            e.address,
            e.get_action_display(),
            timezone.localtime(e.issued_at).strftime("%d/%m/%Y %H:%M"),
            e.issued_by_name,
            e.recorded_by_name,
            e.corrects_id or "",
            e.note,
        ]


@role_required("mtt_account_manager", "mtt_office_head")
def log_export(request, fmt):
    """The whole log, streamed: 100,000 rows cost the memory of a few thousand (issue 15)."""
    header = [_(h) for h in LOG_HEADER]
    name = f"CreateEmailHUST-log-{timezone.localdate():%Y%m%d}.{fmt}"
    if fmt == "xlsx":
        return xlsx_response(header, _log_rows(), name, title="CreateEmailHUST-log")
    return csv_response(header, _log_rows(), name)
