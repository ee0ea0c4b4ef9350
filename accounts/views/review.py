"""Steps 3 and 5b, the MTT Office: the review queue, a request beside its registry record,
notify."""

import hashlib

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.access import has_role, role_required
from portal.text import fold_words

from .. import crypto, selectors, services
from ..duplicates import existing_accounts, merge_request, possible_duplicates
from ..forms import (
    IssueForm,
    QueueFilterForm,
    RejectForm,
)
from ..models import (
    AccountRequest,
    Status,
    TemporaryPassword,
)
from ..rows import rows_for, select_html
from ._common import _get_request_for_staff

# --- step 3: review queue and detail --------------------------------------------------------


def _queue_context(request, default_status, base_qs):
    form = QueueFilterForm(request.GET or None, default_status=default_status)
    params = form.params()
    qs = selectors.filter_requests(base_qs, params, timezone.now())
    # The count depends on the filter only, not on the page: one cached number per filter.
    filters = sorted((k, str(v)) for k, v in params.items() if v not in (None, "", False))
    page = selectors.page_of(
        qs,
        after=request.GET.get("after", ""),
        before=request.GET.get("before", ""),
        searching=bool(fold_words(params.get("q") or "")),
        count_key="accounts:queue-count:"
        + hashlib.sha256(f"{default_status}?{urlencode(filters)}".encode()).hexdigest()[:32],
    )
    query = request.GET.copy()
    query.pop("after", None)
    query.pop("before", None)
    now = timezone.now()
    return {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "now": now,
        # Built only when the filter bar is rendered, not when it is a kept fragment.
        "selects": SimpleLazyObject(
            lambda: {
                n: mark_safe(select_html(form, n))  # noqa: S308 — built with escape()
                for n in ("status", "person_kind", "request_kind", "unit", "registry")
            }
        ),
    }


# What a queue row shows: loading 14 columns instead of 35 cuts the page's database time.
QUEUE_COLUMNS = (
    "id",
    "reference",
    "family_and_middle_names",
    "given_name",
    "person_id",
    "person_kind",
    "request_kind",
    "unit_name",
    "unit_id",
    "status",
    "due_at",
    "claimed_by__username",
    "claimed_by__full_name",
    "claimed_by__first_name",
    "claimed_by__last_name",
)


# The head of the MTT Office receives the escalations of every step: they read the queues
# (issue 12 §5); the buttons that act stay with the role that takes the step.
@role_required("mtt_office", "mtt_office_head")
def queue(request):
    qs = (
        AccountRequest.objects.select_related("claimed_by")
        .only(*QUEUE_COLUMNS)
        .annotate(in_registry=selectors.in_registry())
    )
    context = _queue_context(request, "review", qs)
    context["rows"] = rows_for(context["page"].rows, context["now"])
    context["title"] = _("Review queue")
    context["can_review"] = has_role(request.user, "mtt_office")
    return render(request, "accounts/queue.html", context)


@role_required("mtt_office")
@require_POST
def queue_bulk_verify(request):
    count = services.bulk_verify_matching(request.user)
    if count:
        messages.success(
            request,
            _(
                "%(count)s requests matched their registry record exactly "
                "and were forwarded to the technicians."
            )
            % {"count": count},
        )
    else:
        messages.info(request, _("No waiting request matches its registry record exactly."))
    return redirect("accounts:queue")


def request_detail(request, pk, issue_form=None):
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={request.path}")
    req = _get_request_for_staff(request, pk)
    record = selectors.registry_record_for(req)
    comparison = selectors.compare(req, record)
    context = {
        "req": req,
        "comparison": comparison,
        "events": req.events.select_related("actor"),
        "steps": selectors.steps_for(req),
        "holder": selectors.holder_label(req),
        "reject_form": RejectForm(),
        "can_review": has_role(request.user, "mtt_office"),
        "can_issue": has_role(request.user, "mtt_technician"),
        "can_record": has_role(request.user, "mtt_account_manager"),
        "log_entries": req.log_entries.all(),
        "duplicates": possible_duplicates(req),
        "can_merge": has_role(request.user, "mtt_office")
        and req.status in (Status.SUBMITTED, Status.IN_REVIEW, Status.REJECTED, Status.VERIFIED),
    }
    if req.status == Status.VERIFIED and context["can_issue"]:
        existing = TemporaryPassword.objects.filter(request=req, ciphertext__isnull=False).exists()
        context["issue_form"] = issue_form or IssueForm(
            initial={
                "address": services.suggested_address(req),
                "password": "" if existing else crypto.generate_password(),
            }
        )
        context["existing_accounts"] = existing_accounts(
            req.person_kind, req.person_id, citizen_id=req.citizen_id, exclude_pk=req.pk
        )
        context["password_exported"] = existing
    return render(request, "accounts/detail.html", context)


def _act(request, pk, action, success):
    try:
        action()
        messages.success(request, success)
    except services.TransitionError as exc:
        messages.error(request, exc.message)
    return redirect("accounts:detail", pk=pk)


@role_required("mtt_office")
@require_POST
def claim(request, pk):
    return _act(
        request,
        pk,
        lambda: services.claim_request(pk, request.user),
        _("You are checking this request; the others see it is yours."),
    )


@role_required("mtt_office")
@require_POST
def release(request, pk):
    return _act(
        request,
        pk,
        lambda: services.release_request(pk, request.user),
        _("The request is back in the queue."),
    )


@role_required("mtt_office")
@require_POST
def verify(request, pk):
    return _act(
        request,
        pk,
        lambda: services.verify_request(pk, request.user, reason=request.POST.get("reason", "")),
        _("Checked and forwarded to the technical section."),
    )


@role_required("mtt_office")
@require_POST
def merge(request, pk):
    into = request.POST.get("into", "")
    if not into.isdigit():
        messages.error(request, _("Choose the request to merge into."))
        return redirect("accounts:detail", pk=pk)
    return _act(
        request,
        pk,
        lambda: merge_request(pk, int(into), request.user),
        _("Merged: the applicant was told, and the earlier request keeps a note of it."),
    )


@role_required("mtt_office")
@require_POST
def reject(request, pk):
    form = RejectForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("Give the reason: the applicant reads it to correct the request.")
        )
        return redirect("accounts:detail", pk=pk)
    return _act(
        request,
        pk,
        lambda: services.reject_request(pk, request.user, form.cleaned_data["reason"]),
        _("Returned to the applicant with the reason."),
    )


# --- step 5 (notify) ------------------------------------------------------------------------


@role_required("mtt_office", "mtt_office_head")
def notify_list(request):
    context = _queue_context(request, Status.RECORDED, AccountRequest.objects.all())
    context["title"] = _("Results to notify")
    return render(request, "accounts/notify_list.html", context)


@role_required("mtt_office")
def notify_preview(request, pk):
    req = get_object_or_404(AccountRequest, pk=pk)
    if request.method == "POST":
        try:
            services.notify_result(pk, request.user)
            messages.success(
                request, _("The result was sent to %(email)s.") % {"email": req.contact_email}
            )
            return redirect("accounts:notify-list")
        except services.TransitionError as exc:
            messages.error(request, exc.message)
            return redirect("accounts:detail", pk=pk)
    from portal.notifications import render_message

    subject, body, _html = render_message(
        "accounts/result",
        {
            "reference": req.reference,
            "full_name": req.full_name,
            "form_code": req.form_code,
            "address": req.issued_address,
            "is_reset": req.is_reset,
            "secret_url": _("(the view-once link is made when you send)"),
            "hours": settings.ACCOUNTS_SECRET_LINK_HOURS,
            # Staff never see a working link of the applicant's.
            "url": _("(the tracking link)"),
        },
        req.language or "vi",
    )
    return render(
        request, "accounts/notify_preview.html", {"req": req, "subject": subject, "body": body}
    )


@role_required("mtt_office")
@require_POST
def contact_confirm_staff(request, pk):
    try:
        req = services.confirm_contact_change_by_staff(pk, request.user)
        messages.success(
            request, _("The contact e-mail is now %(email)s.") % {"email": req.contact_email}
        )
    except services.TransitionError as exc:
        messages.error(request, exc.message)
    return redirect("accounts:detail", pk=pk)
