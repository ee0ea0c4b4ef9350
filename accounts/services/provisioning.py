"""Step 4 by the portal (issue 17): a provisioning job is an outbox row, worked by a Celery task.
The backends (the directories) are in accounts/provisioning/.

    queue_provisioning(req)        in the transaction that verified the request
    provision_account(job_id)      the task's service: claim, call the directory, record
    retry_provisioning(job_id, u)  the technician sends a failed job again
    pick_up_provisioning(now)      beat: jobs whose retry is due, or whose worker died

A job is claimed (queued → running) by one conditional UPDATE before the directory is called:
a task delivered twice calls it once. An address that exists in the directory is never created
again: if the entry carries this request's reference (a previous attempt created it and the
worker died before recording it), it is adopted; otherwise the job stops as "exists" and the
technician sees it. 429 and 5xx are retried with back-off (the server's Retry-After when longer);
other errors stop the job as "failed", the request stays at step 4 with the error in the queue.
Success writes, in one transaction: the request issued (step 4), the CreateEmailHUST-log row
with the backend and the directory's id (step 5), and the result e-mail with the view-once link
to the temporary password (step 5b).
"""

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import crypto
from ..models import IssuanceLogEntry, ProvisioningJob, RequestKind, Status, TemporaryPassword
from ..provisioning import get_backend
from ..provisioning.base import AlreadyExists, NewAccount, ProvisioningError, RetryLater
from ._common import TransitionError, _event, _lock, _move, _require
from .issuance_log import record_locked
from .review import send_result
from .technician import _store_password, check_address, suggested_address

log = logging.getLogger(__name__)
State = ProvisioningJob.State
LEASE = dt.timedelta(minutes=5)


def backend_name() -> str:
    return settings.ACCOUNTS_PROVISIONING_BACKEND


def can_provision(req) -> bool:
    """The directory creates accounts; a password reset stays with the technician."""
    return (
        get_backend().automatic
        and req.request_kind == RequestKind.NEW_ACCOUNT
        and req.status == Status.VERIFIED
    )


def queue_provisioning(req, *, requested_by=None, now=None) -> ProvisioningJob | None:
    """Create (or re-arm) the job of a verified request, inside the caller's transaction; the
    task is queued on commit. None when the backend is manual or no address is free."""
    if not can_provision(req):
        return None
    now = now or timezone.now()
    try:
        address = check_address(req, suggested_address(req))
    except TransitionError:
        return None  # the technician chooses the address by hand
    job, created = ProvisioningJob.objects.get_or_create(
        request=req,
        defaults={
            "backend": backend_name(),
            "address": address,
            "requested_by": requested_by,
            "created_at": now,
            "next_attempt_at": now,
        },
    )
    if not created:
        if job.state not in (State.FAILED, State.EXISTS, State.CANCELLED):
            return job
        job.backend, job.address, job.requested_by = backend_name(), address, requested_by
        job.state, job.attempts, job.last_error = State.QUEUED, 0, ""
        job.next_attempt_at, job.finished_at, job.started_at = now, None, None
        job.save()
    _enqueue_on_commit(job.pk)
    return job


# Only the task layer talks to the broker: AccountsConfig.ready() hands accounts.tasks' enqueue
# functions in here (as portal.notifications does), so the services never import their tasks.
# Each returns False when the broker is down: the row waits and the pick-up queues it later.
_broker = {
    "job": lambda job_id, eta=None: False,
    "batch": lambda batch_id: False,
}


def use_broker(*, job, batch) -> None:
    _broker.update(job=job, batch=batch)


def enqueue_batch_on_commit(batch_id):
    transaction.on_commit(lambda: _broker["batch"](batch_id))


def _enqueue_on_commit(job_id, eta=None):
    def send():
        if not _broker["job"](job_id, eta):
            log.warning("provisioning job %s not queued; the pick-up will", job_id)

    transaction.on_commit(send)


def retry_delay(attempts: int, retry_after: float | None) -> dt.timedelta:
    base = settings.ACCOUNTS_PROVISIONING_RETRY_SECONDS * 2 ** max(0, attempts - 1)
    return dt.timedelta(seconds=min(3600, max(base, retry_after or 0)))


def _temporary_password(req) -> str:
    """The password stored before the directory is called: a retry sends the same one."""
    secret = TemporaryPassword.objects.filter(request=req, ciphertext__isnull=False).first()
    if secret is not None:
        return crypto.decrypt(secret.ciphertext)
    password = crypto.generate_password()
    _store_password(req, password)
    return password


def _finish(job, now, **fields) -> bool:
    """Write the outcome, conditional on our claim (a job the pick-up took back is not ours)."""
    fields.setdefault("finished_at", now if fields.get("state") != State.QUEUED else None)
    return bool(
        ProvisioningJob.objects.filter(pk=job.pk, state=State.RUNNING, started_at=now).update(
            **fields
        )
    )


def provision_account(job_id, *, now=None) -> dt.datetime | None:
    """Work one job. Returns when to try again (429, 5xx), else None. Safe to run twice."""
    now = now or timezone.now()
    won = ProvisioningJob.objects.filter(
        Q(state=State.QUEUED, next_attempt_at__lte=now)
        | Q(state=State.RUNNING, started_at__lt=now - LEASE),
        pk=job_id,
    ).update(state=State.RUNNING, started_at=now, attempts=F("attempts") + 1)
    if not won:
        return None
    job = ProvisioningJob.objects.select_related("request").get(pk=job_id)
    req = job.request
    if req.status != Status.VERIFIED:
        _finish(job, now, state=State.CANCELLED, last_error="")
        return None
    account = NewAccount(
        address=job.address,
        given_name=req.given_name,
        family_name=req.family_and_middle_names,
        password=_temporary_password(req),
        person_id=req.person_id,
        person_kind=req.person_kind,
        unit_name=req.unit_name,
        unit_code=req.unit_code,
        mobile_phone=req.mobile_phone,
        reference=req.reference,
    )
    backend = get_backend(job.backend)
    try:
        try:
            directory_id = backend.create_account(account)
        except AlreadyExists:
            found = backend.exists(job.address)
            if found is None or found.reference != req.reference:
                raise
            directory_id = found.directory_id  # ours, from an attempt that died half-way
    except AlreadyExists as exc:
        _stop_exists(job, req, str(exc), now)
        return None
    except RetryLater as exc:
        if job.attempts >= settings.ACCOUNTS_PROVISIONING_MAX_ATTEMPTS:
            _finish(job, now, state=State.FAILED, last_error=_error(exc, job))
            return None
        retry_at = now + retry_delay(job.attempts, exc.retry_after)
        _finish(job, now, state=State.QUEUED, next_attempt_at=retry_at, last_error=_error(exc, job))
        return retry_at
    except ProvisioningError as exc:
        _finish(job, now, state=State.FAILED, last_error=_error(exc, job))
        return None
    except Exception as exc:  # a bug or an unexpected answer: visible, not lost
        log.exception("provisioning job %s", job_id)
        _finish(job, now, state=State.FAILED, last_error=_error(exc, job))
        return None
    _complete(job, directory_id, now)
    return None


def _error(exc, job) -> str:
    return f"{job.backend}, attempt {job.attempts}: {exc}"[:2000]


def _stop_exists(job, req, message, now):
    with transaction.atomic():
        if _finish(job, now, state=State.EXISTS, last_error=message[:2000]):
            _event(req, "provision_exists", req.status, req.status, None, now, job.address)


def _complete(job, directory_id: str, now):
    """Steps 4, 5 and 5b of the request in one transaction, conditional on our claim."""
    with transaction.atomic():
        req = _lock(job.request_id)
        if req.status != Status.VERIFIED:  # issued by hand meanwhile: the entry is theirs to see
            _finish(job, now, state=State.CANCELLED, directory_id=directory_id)
            return
        if not _finish(job, now, state=State.DONE, directory_id=directory_id, last_error=""):
            return
        user = job.requested_by
        req.issued_address, req.issued_by, req.issued_at = job.address, user, now
        _move(
            req,
            Status.ISSUED,
            actor=user,
            now=now,
            action="provisioned",
            note=f"{job.address} — {job.backend}: {directory_id}",
            fields=["issued_address", "issued_by", "issued_at"],
            email=False,  # the applicant hears once, with the result, in this transaction
        )
        record_locked(
            req,
            user,
            now,
            action=IssuanceLogEntry.Action.NEW_ACCOUNT,
            address=job.address,
            note=str(_("Created by the portal in the mail system.")),
            backend=job.backend,
            directory_id=directory_id,
            email=False,
        )
        send_result(req, user, now)


def retry_provisioning(job_id, user, *, now=None) -> ProvisioningJob:
    """The technician sends a failed or blocked job again (after fixing the cause)."""
    _require(user, "mtt_technician")
    now = now or timezone.now()
    with transaction.atomic():
        job = ProvisioningJob.objects.select_for_update().select_related("request").get(pk=job_id)
        if job.state not in (State.FAILED, State.EXISTS):
            raise TransitionError(_("This job is not waiting for a person."))
        if job.state == State.EXISTS:  # the directory holds that address: reserve the next one
            job.request.proposed_address = ""
            job.request.save(update_fields=["proposed_address"])
        if queue_provisioning(job.request, requested_by=user, now=now) is None:
            raise TransitionError(_("The mail system cannot create this account by itself."))
        job.refresh_from_db()
    return job


def pick_up_provisioning(now=None) -> int:
    """Beat: queue again the jobs whose retry is due (the broker lost the delayed task) and the
    ones a dead worker left running past the lease."""
    now = now or timezone.now()
    pks = list(
        ProvisioningJob.objects.filter(
            Q(state=State.QUEUED, next_attempt_at__lte=now)
            | Q(state=State.RUNNING, started_at__lt=now - LEASE)
        ).values_list("pk", flat=True)[:5000]
    )
    for pk in pks:
        _broker["job"](pk, None)
    return len(pks)


def progress(since) -> dict:
    """The technician's progress bar: the jobs created since `since`, by state (one query)."""
    from django.db.models import Count

    counts = dict(
        ProvisioningJob.objects.filter(created_at__gte=since)
        .values_list("state")
        .annotate(n=Count("id"))
        .order_by()
    )
    total = sum(counts.values())
    finished = sum(
        counts.get(s, 0) for s in (State.DONE, State.EXISTS, State.FAILED, State.CANCELLED)
    )
    return {
        "total": total,
        "done": counts.get(State.DONE, 0),
        "waiting": counts.get(State.QUEUED, 0) + counts.get(State.RUNNING, 0),
        "attention": counts.get(State.EXISTS, 0) + counts.get(State.FAILED, 0),
        "percent": round(100 * finished / total) if total else 0,
        "running": total > finished,
    }
