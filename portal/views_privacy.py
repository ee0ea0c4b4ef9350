"""Personal data: the data-protection officer's pages and the retention counts in ops."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import privacy
from .access import has_role, role_required
from .forms import PersonLookupForm
from .models import PrivacyAction, PrivacyLogEntry
from .roles import Role

_dpo_required = role_required(Role.DATA_PROTECTION)


def _lookup(request, data):
    form = PersonLookupForm(data or None)
    term = form.cleaned_data["identifier"] if form.is_valid() else ""
    return form, term


@_dpo_required
@never_cache
def person(request):
    """Find what is held about one person (e-mail, staff/student ID or mobile number)."""
    form, term = _lookup(request, request.GET)
    found = privacy.summarise_person(term) if term else []
    return render(
        request,
        "portal/privacy/person.html",
        {"form": form, "term": term, "found": found, "total": sum(n for _s, n in found)},
    )


@_dpo_required
@require_POST
def export(request):
    form, term = _lookup(request, request.POST)
    if not term:
        messages.error(request, _("Give the person's e-mail address, ID or mobile number."))
        return redirect("portal:privacy")
    content = privacy.export_person(term, actor=request.user)
    response = HttpResponse(content, content_type="application/json; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="personal-data-{stamp}.json"'
    response["Cache-Control"] = "no-store"
    return response


@_dpo_required
@never_cache
def anonymise(request):
    """GET: what will be cleared and what is kept; POST: anonymise and log it."""
    form, term = _lookup(request, request.POST if request.method == "POST" else request.GET)
    if not term:
        messages.error(request, _("Give the person's e-mail address, ID or mobile number."))
        return redirect("portal:privacy")
    if request.method == "POST":
        entry = privacy.anonymise_person(
            term, actor=request.user, note=request.POST.get("note", "")[:1000]
        )
        messages.success(
            request,
            _(
                "Closed records anonymised: %(count)s. Records still in progress and the "
                "issuance log were kept."
            )
            % {"count": entry.total},
        )
        return redirect(f"{reverse('portal:privacy')}?{urlencode({'identifier': term})}")
    found = privacy.summarise_person(term)
    return render(
        request, "portal/privacy/anonymise.html", {"form": form, "term": term, "found": found}
    )


@login_required
def ops_privacy(request):
    """Retention runs and data-protection actions, with their counts."""
    user = request.user
    if not (
        user.is_superuser or user.has_perm("portal.view_ops") or user.has_role(Role.DATA_PROTECTION)
    ):
        raise PermissionDenied
    runs = PrivacyLogEntry.objects.filter(action=PrivacyAction.RETENTION)[:20]
    requests = PrivacyLogEntry.objects.exclude(action=PrivacyAction.RETENTION).select_related(
        "actor"
    )[:50]
    last = runs[0] if runs else None
    labels = {s.key: s.label for s in privacy.sources()}
    return render(
        request,
        "portal/ops/privacy.html",
        {
            "runs": runs,
            "requests": requests,
            "last": last,
            "last_counts": [
                (labels.get(k, k), n) for k, n in (last.counts if last else {}).items()
            ],
            "retention_days": settings.PRIVACY_RETENTION_DAYS,
            "can_see_subjects": has_role(user, Role.DATA_PROTECTION),
        },
    )
