"""Step 4, the technician: issue accounts one by one or through the mail-system export."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.access import has_role, role_required

from .. import mailsystem, services
from ..forms import (
    IssueForm,
)
from ..models import (
    AccountRequest,
    Status,
)
from .review import _queue_context, request_detail

# --- step 4: technician -----------------------------------------------------------------------


@role_required("mtt_technician", "mtt_office_head")  # the head reads it (escalations)
def technician(request):
    context = _queue_context(request, Status.VERIFIED, AccountRequest.objects.all())
    context["can_issue"] = has_role(request.user, "mtt_technician")
    context["title"] = _("Technician queue")
    context["mail_system"] = settings.ACCOUNTS_MAIL_SYSTEM
    return render(request, "accounts/technician.html", context)


@role_required("mtt_technician")
@require_POST
def issue(request, pk):
    form = IssueForm(request.POST)
    if form.is_valid():
        try:
            services.issue_account(
                pk,
                request.user,
                address=form.cleaned_data["address"],
                password=form.cleaned_data["password"] or None,
                reason=form.cleaned_data["reason"],
            )
            messages.success(request, _("Marked as done; the account manager logs it next."))
            return redirect("accounts:detail", pk=pk)
        except services.TransitionError as exc:
            if getattr(exc, "field", None):
                form.add_error(exc.field, exc.message)
            else:
                messages.error(request, exc.message)
    # The page again with what was typed and the error next to it.
    return request_detail(request, pk, issue_form=form)


@role_required("mtt_technician")
@require_POST
def export_csv(request):
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
    if not ids:
        messages.error(request, _("Tick the requests to put in the file."))
        return redirect("accounts:technician")
    export, rows = services.export_for_mail_system(ids, request.user)
    response = HttpResponse(
        mailsystem.csv_bytes(rows, export.mail_system), content_type="text/csv; charset=utf-8"
    )
    name = f"mtt-qt06-{export.mail_system}-{timezone.localtime():%Y%m%d-%H%M}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@role_required("mtt_technician")
@require_POST
def issue_exported(request):
    """After loading the file: mark the exported requests done, each with its file address."""
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
    done, failed = 0, []
    for req in AccountRequest.objects.filter(
        pk__in=ids, status=Status.VERIFIED, exported_at__isnull=False
    ):
        try:
            services.issue_account(req.pk, request.user, address=req.proposed_address)
            done += 1
        except services.TransitionError as exc:
            failed.append(f"{req.reference}: {exc.message}")
    if done:
        messages.success(request, _("%(count)s requests marked as done.") % {"count": done})
    for line in failed:
        messages.error(request, line)
    return redirect("accounts:technician")
