"""Thin views: fetch, call one service, choose a response. Public pages (BM01/BM02, the status
page, the view-once link) need no log-in; the rest is per role (404 for what one may not see)."""

import csv
import io

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from portal.privacy import record_consent
from portal.text import fold_words

from . import bulk, mailsystem, selectors, services
from .forms import (
    BulkUploadForm,
    IssueForm,
    LogCorrectionForm,
    QueueFilterForm,
    RegistryUploadForm,
    RejectForm,
    ReportForm,
    RevealForm,
    form_class_for,
)
from .models import (
    AccountRequest,
    Batch,
    IssuanceLogEntry,
    PersonKind,
    RegistryImport,
    RegistryRecord,
    Status,
    TemporaryPassword,
)
from .registry import import_registry
from .rows import rows_for, select_html
from .tabular import FileError, xlsx_response_bytes

STAFF_ROLES = ("mtt_office", "mtt_technician", "mtt_account_manager", "mtt_office_head")


def _has(user, *roles) -> bool:
    return user.is_authenticated and (user.is_superuser or user.has_role(*roles))


def _role_required(*roles):
    def decorator(view):
        @login_required
        def wrapped(request, *args, **kwargs):
            if not _has(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.__name__ = view.__name__
        wrapped.__doc__ = view.__doc__
        return wrapped

    return decorator


def _get_request_for_staff(request, pk) -> AccountRequest:
    if not _has(request.user, *STAFF_ROLES):
        raise Http404
    return get_object_or_404(
        AccountRequest.objects.select_related("claimed_by", "issued_by"), pk=pk
    )


def _get_request_by_token(token) -> AccountRequest:
    return get_object_or_404(AccountRequest, tracking_token=token)


# --- public: landing, BM01/BM02, status page, correction, view-once link ---------------------


def index(request):
    return render(
        request,
        "accounts/index.html",
        {
            "steps": selectors.PROCEDURE_STEPS,
            "staff_domain": settings.ACCOUNTS_STAFF_DOMAIN,
            "student_domain": settings.ACCOUNTS_STUDENT_DOMAIN,
            "is_staff": _has(request.user, *STAFF_ROLES),
        },
    )


def apply(request, person_kind):
    """BM01 (staff) or BM02 (student), new account or password reset; no log-in."""
    if person_kind not in PersonKind.values:
        raise Http404
    form_class = form_class_for(person_kind)
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            req, created = services.submit_request(
                form.request_data(),
                idempotency_key=form.cleaned_data["submission_token"],
                created_by=request.user,
                language=request.LANGUAGE_CODE or "vi",
            )
            if created:
                record_consent(req, form=req.form_code, language=req.language)
                messages.success(
                    request,
                    _(
                        "Your request %(reference)s has been received. A confirmation with this "
                        "page's link has been sent to %(email)s."
                    )
                    % {"reference": req.reference, "email": req.contact_email},
                )
            else:
                messages.info(request, _("This form was already sent: here is its request."))
            return redirect("accounts:track", token=req.tracking_token)
    else:
        initial = {}
        if request.GET.get("kind") == "reset":
            initial["request_kind"] = "password_reset"
        form = form_class(initial=initial)
    # The one-time token is written by hand; the rest of an empty form is the same for every
    # visitor, so its HTML is cached (the public form is hot: p50 <= 15 ms).
    token = (
        request.POST.get("submission_token") if form.is_bound else form.initial["submission_token"]
    )
    form.fields.pop("submission_token", None)
    fields_html = None
    if not form.is_bound:
        kind = form.initial.get("request_kind", "")
        key = f"accounts:form:{person_kind}:{request.LANGUAGE_CODE}:{kind}"
        fields_html = cache.get(key)
        if fields_html is None:
            fields_html = render_to_string("accounts/_form_fields.html", {"form": form})
            cache.set(key, fields_html, 300)
    return render(
        request,
        "accounts/apply.html",
        {
            "form": form,
            "token": token,
            "fields_html": fields_html,
            "person_kind": person_kind,
            "form_code": "MTT.QT06.BM02" if person_kind == PersonKind.STUDENT else "MTT.QT06.BM01",
            "domain": settings.ACCOUNTS_STUDENT_DOMAIN
            if person_kind == PersonKind.STUDENT
            else settings.ACCOUNTS_STAFF_DOMAIN,
        },
    )


@never_cache
def track(request, token):
    req = _get_request_by_token(token)
    events = req.events.all()
    return render(
        request,
        "accounts/track.html",
        {
            "req": req,
            "steps": selectors.steps_for(req),
            "events": events,
            "holder": selectors.holder_label(req),
        },
    )


@never_cache
def track_print(request, token):
    """The BM01/BM02 as filled in, printable (the applicant's own data: behind the link)."""
    req = _get_request_by_token(token)
    return render(request, "accounts/print.html", {"req": req})


def track_lookup(request):
    """'I lost the link': nothing is revealed here; the link is sent again to the contact e-mail."""
    sent = False
    if request.method == "POST":
        reference = (request.POST.get("reference") or "").strip().upper()
        email = (request.POST.get("email") or "").strip().lower()
        req = AccountRequest.objects.filter(reference=reference, contact_email=email).first()
        if req is not None:
            from portal.notifications import notify

            notify(
                template="accounts/tracking_link",
                context={"reference": req.reference, "url": services.tracking_url(req)},
                dedupe_key=f"accounts:{req.pk}:link:{timezone.now():%Y%m%d%H}",
                email=req.contact_email,
                language=req.language,
            )
        sent = True  # the same answer either way: the page tells nobody what exists
    return render(request, "accounts/lookup.html", {"sent": sent})


@never_cache
def correct(request, token):
    req = _get_request_by_token(token)
    if req.status != Status.REJECTED:
        messages.info(request, _("This request is not waiting for a correction."))
        return redirect("accounts:track", token=token)
    form_class = form_class_for(req.person_kind)
    if request.method == "POST":
        form = form_class(request.POST, correcting=True)
        if form.is_valid():
            try:
                services.resubmit_request(token, form.request_data())
                messages.success(
                    request,
                    _("Thank you: the corrected request is being checked again (within 24 hours)."),
                )
            except services.TransitionError as exc:
                messages.error(request, exc.message)
            return redirect("accounts:track", token=token)
    else:
        initial = {
            f: getattr(req, f)
            for f in (
                "request_kind",
                "family_and_middle_names",
                "given_name",
                "person_id",
                "student_class",
                "cohort",
                "contact_email",
                "existing_address",
                "note",
            )
        }
        # Empty once anonymised (portal.privacy): the person types it again.
        dob = req.date_of_birth
        initial["date_of_birth"] = dob.strftime("%d/%m/%Y") if dob else ""
        initial["mobile_phone"] = req.mobile_display
        initial["unit"] = req.unit_code
        form = form_class(initial=initial, correcting=True)
    return render(request, "accounts/correct.html", {"req": req, "form": form})


@never_cache
def secret(request, token):
    """The view-once link: GET asks for the ID (link previewers open links too); POST reveals
    the password once and destroys it."""
    from .crypto import token_digest

    found = TemporaryPassword.objects.filter(link_digest=token_digest(token)).first()
    gone = (
        found is None
        or found.ciphertext is None
        or (found.link_expires_at and found.link_expires_at <= timezone.now())
    )
    password = req = None
    form = RevealForm(request.POST or None)
    if request.method == "POST" and not gone and form.is_valid():
        try:
            req, password = services.reveal_password(token, id_check=form.cleaned_data["person_id"])
        except services.SecretGone:
            gone = True
        except services.TransitionError as exc:
            form.add_error("person_id", exc.message)
    response = render(
        request,
        "accounts/secret.html",
        {
            "form": form,
            "gone": gone and password is None,
            "password": password,
            "req": req,
            "expires_at": found.link_expires_at if found else None,
        },
    )
    response["Cache-Control"] = "no-store"
    return response


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


@_role_required("applicant", "mtt_office")
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
        writer = csv.writer(out)
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
    if batch.created_by_id != request.user.pk and not _has(request.user, *STAFF_ROLES):
        raise Http404
    requests = batch.requests.order_by("reference")[:500]
    return render(request, "accounts/batch.html", {"batch": batch, "requests": requests})


# --- step 3: review queue and detail --------------------------------------------------------


def _queue_context(request, default_status, base_qs):
    form = QueueFilterForm(request.GET or None, default_status=default_status)
    params = form.params()
    qs = selectors.filter_requests(base_qs, params, timezone.now())
    page = selectors.page_of(
        qs,
        after=request.GET.get("after", ""),
        before=request.GET.get("before", ""),
        searching=bool(fold_words(params.get("q") or "")),
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
        "rows": rows_for(page.rows, now),
        "selects": {
            n: mark_safe(select_html(form, n))  # noqa: S308 — built with escape()
            for n in ("status", "person_kind", "request_kind", "unit")
        },
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
    "status",
    "due_at",
    "claimed_by__username",
    "claimed_by__full_name",
    "claimed_by__first_name",
    "claimed_by__last_name",
)


@_role_required("mtt_office")
def queue(request):
    qs = AccountRequest.objects.select_related("claimed_by").only(*QUEUE_COLUMNS)
    context = _queue_context(request, "review", qs)
    context["title"] = _("Review queue")
    return render(request, "accounts/queue.html", context)


@_role_required("mtt_office")
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


def request_detail(request, pk):
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
        "can_review": _has(request.user, "mtt_office"),
        "can_issue": _has(request.user, "mtt_technician"),
        "can_record": _has(request.user, "mtt_account_manager"),
        "log_entries": req.log_entries.all(),
    }
    if req.status == Status.VERIFIED and context["can_issue"]:
        existing = TemporaryPassword.objects.filter(request=req, ciphertext__isnull=False).exists()
        context["issue_form"] = IssueForm(
            initial={
                "address": services.suggested_address(req),
                "password": "" if existing else services.crypto.generate_password(),
            }
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


@_role_required("mtt_office")
@require_POST
def claim(request, pk):
    return _act(
        request,
        pk,
        lambda: services.claim_request(pk, request.user),
        _("You are checking this request; the others see it is yours."),
    )


@_role_required("mtt_office")
@require_POST
def release(request, pk):
    return _act(
        request,
        pk,
        lambda: services.release_request(pk, request.user),
        _("The request is back in the queue."),
    )


@_role_required("mtt_office")
@require_POST
def verify(request, pk):
    return _act(
        request,
        pk,
        lambda: services.verify_request(pk, request.user),
        _("Checked and forwarded to the technical section."),
    )


@_role_required("mtt_office")
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


# --- step 4: technician -----------------------------------------------------------------------


@_role_required("mtt_technician")
def technician(request):
    context = _queue_context(request, Status.VERIFIED, AccountRequest.objects.all())
    context["title"] = _("Technician queue")
    context["mail_system"] = settings.ACCOUNTS_MAIL_SYSTEM
    return render(request, "accounts/technician.html", context)


@_role_required("mtt_technician")
@require_POST
def issue(request, pk):
    form = IssueForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the address and the temporary password."))
        return redirect("accounts:detail", pk=pk)
    return _act(
        request,
        pk,
        lambda: services.issue_account(
            pk,
            request.user,
            address=form.cleaned_data["address"],
            password=form.cleaned_data["password"] or None,
        ),
        _("Marked as done; the account manager logs it next."),
    )


@_role_required("mtt_technician")
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


@_role_required("mtt_technician")
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


# --- step 5: issuance log -----------------------------------------------------------------


@_role_required("mtt_account_manager", "mtt_office_head")
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
            "can_record": _has(request.user, "mtt_account_manager"),
        },
    )


@_role_required("mtt_account_manager")
@require_POST
def record(request, pk):
    try:
        entry = services.record_issuance(pk, request.user, note=request.POST.get("note", ""))
        messages.success(
            request, _("Logged in CreateEmailHUST-log as entry %(n)s.") % {"n": entry.pk}
        )
    except services.TransitionError as exc:
        messages.error(request, exc.message)
    return redirect(request.POST.get("next") or "accounts:log")


@_role_required("mtt_account_manager")
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


@_role_required("mtt_account_manager", "mtt_office_head")
def log_export(request, fmt):
    header = [_(h) for h in LOG_HEADER]
    if fmt == "xlsx":
        response = HttpResponse(
            xlsx_response_bytes(header, _log_rows(), "CreateEmailHUST-log"),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(_log_rows())
        response = HttpResponse(
            out.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8"
        )
    response["Content-Disposition"] = (
        f'attachment; filename="CreateEmailHUST-log-{timezone.localdate():%Y%m%d}.{fmt}"'
    )
    return response


# --- step 5 (notify) ------------------------------------------------------------------------


@_role_required("mtt_office")
def notify_list(request):
    context = _queue_context(request, Status.RECORDED, AccountRequest.objects.all())
    context["title"] = _("Results to notify")
    return render(request, "accounts/notify_list.html", context)


@_role_required("mtt_office")
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
            "url": services.tracking_url(req),
        },
        req.language or "vi",
    )
    return render(
        request, "accounts/notify_preview.html", {"req": req, "subject": subject, "body": body}
    )


# --- step 6: BM03 ---------------------------------------------------------------------------


@_role_required("mtt_office_head", "mtt_office")
def report(request):
    form = ReportForm(request.GET or None)
    date_from, date_to = form.period()
    data = selectors.bm03(date_from, date_to)
    template = "accounts/report_print.html" if request.GET.get("print") else "accounts/report.html"
    return render(
        request, template, {"form": form, "report": data, "query": request.GET.urlencode()}
    )


@_role_required("mtt_office_head", "mtt_office")
def report_xlsx(request):
    from openpyxl import Workbook
    from openpyxl.styles import Font

    date_from, date_to = ReportForm(request.GET or None).period()
    data = selectors.bm03(date_from, date_to)
    book = Workbook()
    sheet = book.active
    sheet.title = "BM03"
    bold = Font(bold=True)
    sheet.append(
        [
            "MTT.QT06.BM03 — "
            + _("Summary and statistics of issuing e-mail accounts and re-issuing passwords")
        ]
    )
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([_("Period"), f"{date_from:%d/%m/%Y} – {date_to:%d/%m/%Y}"])
    sheet.append([])
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
    ]
    sheet.append(header)
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    keys = [
        "staff_new",
        "staff_reset",
        "student_new",
        "student_reset",
        "done",
        "returned",
        "open",
        "total",
    ]
    for row in data.rows:
        sheet.append([row["unit"], *[row[k] for k in keys]])
    sheet.append([_("Total"), *[data.totals[k] for k in keys]])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    sheet.append([])
    sheet.append(
        [
            _("Step"),
            _("Steps closed"),
            _("On time"),
            _("Share on time (%)"),
            _("Median time (hours)"),
        ]
    )
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for step in data.steps:
        sheet.append(
            [
                f"{step['number']}. {step['label']}",
                step["count"],
                step["on_time"],
                round(step["share"], 1) if step["share"] is not None else "",
                round(step["median_hours"], 1) if step["median_hours"] is not None else "",
            ]
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


# --- registries ----------------------------------------------------------------------------


@_role_required("mtt_office")
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
