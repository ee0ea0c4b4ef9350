"""Public pages (no log-in): landing, BM01/BM02, the tracking page, correction, the view-once
link."""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from portal.access import has_role
from portal.language import chosen_language
from portal.privacy import record_consent
from portal.ratelimits import limit_posts

from .. import selectors, services
from ..duplicates import DuplicateRequest
from ..forms import (
    EMPTY_FORM_KEY,
    RevealForm,
    TrackLookupForm,
    form_class_for,
)
from ..models import (
    AccountRequest,
    PersonKind,
    Status,
    TemporaryPassword,
)
from ._common import STAFF_ROLES, _get_request_by_token

# --- public: landing, BM01/BM02, status page, correction, view-once link ---------------------


def index(request):
    return render(
        request,
        "accounts/index.html",
        {
            "steps": selectors.PROCEDURE_STEPS,
            "staff_domain": settings.ACCOUNTS_STAFF_DOMAIN,
            "student_domain": settings.ACCOUNTS_STUDENT_DOMAIN,
            "is_staff": has_role(request.user, *STAFF_ROLES),
        },
    )


@limit_posts("accounts-apply", target="post:person_id")
def apply(request, person_kind):
    """BM01 (staff) or BM02 (student), new account or password reset; no log-in."""
    if person_kind not in PersonKind.values:
        raise Http404
    form_class = form_class_for(person_kind)
    duplicate = ""
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            try:
                req, created = services.submit_request(
                    form.request_data(),
                    idempotency_key=form.cleaned_data["submission_token"],
                    created_by=request.user,
                    language=request.LANGUAGE_CODE or "vi",
                )
            except DuplicateRequest as exc:
                # Nothing about the other request is shown: only where the person can go.
                duplicate = exc.kind
                form.add_error("person_id", _("A request or an account exists for this ID."))
                if form.cleaned_data.get("citizen_id"):
                    form.add_error(
                        "citizen_id",
                        _("Or for this citizen ID: a person has one request and one account."),
                    )
            else:
                if created:
                    record_consent(req, form=req.form_code, language=req.language)
                    messages.success(
                        request,
                        _(
                            "Your request %(reference)s has been received. A confirmation "
                            "with this page's link has been sent to %(email)s."
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
        key = EMPTY_FORM_KEY.format(
            person_kind=person_kind, language=request.LANGUAGE_CODE, kind=kind
        )
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
            "duplicate": duplicate,
            "form_code": "MTT.QT06.BM02" if person_kind == PersonKind.STUDENT else "MTT.QT06.BM01",
            "domain": settings.ACCOUNTS_STUDENT_DOMAIN
            if person_kind == PersonKind.STUDENT
            else settings.ACCOUNTS_STAFF_DOMAIN,
        },
    )


def _tracking_link(view):
    """A tracking link works until ACCOUNTS_TRACKING_LINK_DAYS after the request closed."""

    @wraps(view)
    def wrapped(request, token, *args, **kwargs):
        req = _get_request_by_token(token)
        # The applicant's language choice (the header's switch) is kept on their request.
        services.remember_language(req, chosen_language(request))
        if services.tracking_link_expired(req):
            return render(
                request,
                "accounts/link_expired.html",
                {"days": settings.ACCOUNTS_TRACKING_LINK_DAYS},
                status=410,
            )
        return view(request, token, *args, **kwargs)

    return wrapped


@never_cache
@_tracking_link
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
@_tracking_link
def track_print(request, token):
    """The BM01/BM02 as filled in, printable (the applicant's own data: behind the link)."""
    req = _get_request_by_token(token)
    return render(request, "accounts/print.html", {"req": req})


def track_lookup(request):
    """'I lost the link': nothing is revealed here; the link is sent again to the contact e-mail."""
    sent = False
    if request.method == "POST":
        # Through a form: raw input (a NUL byte, a megabyte) never reaches the database.
        form = TrackLookupForm(request.POST)
        req = None
        if form.is_valid():
            req = AccountRequest.objects.filter(
                reference=form.cleaned_data["reference"].upper(),
                contact_email=form.cleaned_data["email"].lower(),
            ).first()
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
@_tracking_link
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
                corrected = services.resubmit_request(token, form.request_data())
                messages.success(
                    request,
                    _("Thank you: the corrected request is being checked again (within 24 hours)."),
                )
                if corrected.contact_change_pending:
                    messages.info(
                        request,
                        _(
                            "The new contact e-mail %(new)s is used once it is confirmed: we "
                            "sent a link to %(old)s, or the MTT Office can confirm it."
                        )
                        % {"new": corrected.pending_contact_email, "old": corrected.contact_email},
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
        # Empty on a draft nobody could read, or once anonymised (portal.privacy): typed again.
        dob = req.date_of_birth
        initial["date_of_birth"] = dob.strftime("%d/%m/%Y") if dob else ""
        initial["mobile_phone"] = req.mobile_display
        initial["unit"] = req.unit_code
        form = form_class(initial=initial, correcting=True)
    return render(request, "accounts/correct.html", {"req": req, "form": form})


@never_cache
def contact_confirm(request, token):
    """The link mailed to the old contact address: GET asks (link previewers open links too),
    POST confirms the new address."""
    from ..crypto import token_digest

    req = AccountRequest.objects.filter(
        contact_change_digest=token_digest(token), pending_contact_email__gt=""
    ).first()
    done = False
    if request.method == "POST" and req is not None:
        try:
            services.confirm_contact_change(token)
            done = True
        except services.TransitionError as exc:
            messages.error(request, exc.message)
            req = None
    return render(
        request,
        "accounts/contact_confirm.html",
        {"req": req, "done": done},
        status=200 if req is not None else 410,
    )


@never_cache
def secret(request, token):
    """The view-once link: GET asks for the ID (link previewers open links too); POST reveals
    the password once and destroys it."""
    from ..crypto import token_digest

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
