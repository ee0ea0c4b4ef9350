"""The technician's side of automatic provisioning (issue 17): the progress of the jobs, the
ones waiting for a person (address taken, failed) with their error, and the actions to send
verified requests, or a failed job, to the mail system."""

import datetime as dt

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.access import role_required

from .. import services
from ..models import AccountRequest, ProvisioningJob, Status
from ..provisioning import get_backend
from ..services.provisioning import progress, queue_provisioning, retry_provisioning

State = ProvisioningJob.State
WINDOW = dt.timedelta(hours=24)


def technician_context(now=None) -> dict:
    """What the technician page shows of the jobs: a handful of queries, whatever their number."""
    now = now or timezone.now()
    backend = get_backend()
    return {
        "provisioning_backend": backend.name,
        "provisioning_automatic": backend.automatic,
        "provisioning": progress(now - WINDOW),
        "needs_person": list(
            ProvisioningJob.objects.filter(state__in=[State.EXISTS, State.FAILED])
            .select_related("request")
            .order_by("request__due_at", "id")[:50]
        ),
        "provisioned": list(
            ProvisioningJob.objects.filter(state=State.DONE, finished_at__gte=now - WINDOW)
            .select_related("request")
            .order_by("-finished_at", "-id")[:20]
        ),
    }


@role_required("mtt_technician")
@require_POST
def provision_selected(request):
    """Send the ticked verified requests to the mail system (those verified by a person)."""
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
    queued = 0
    for req in AccountRequest.objects.filter(pk__in=ids, status=Status.VERIFIED):
        try:
            with transaction.atomic():
                if queue_provisioning(req, requested_by=request.user) is not None:
                    queued += 1
        except services.TransitionError:
            continue
    if queued:
        messages.success(
            request,
            _("%(count)s accounts are being created in the mail system.") % {"count": queued},
        )
    else:
        messages.error(
            request,
            _("Nothing to send: tick new-account requests whose suggested address is free."),
        )
    return redirect("accounts:technician")


@role_required("mtt_technician")
@require_POST
def provisioning_retry(request, pk):
    try:
        retry_provisioning(pk, request.user)
        messages.success(request, _("Sent to the mail system again."))
    except ProvisioningJob.DoesNotExist:
        messages.error(request, _("This job does not exist."))
    except services.TransitionError as exc:
        messages.error(request, exc.message)
    return redirect("accounts:technician")
