"""Every state change of procedure MTT.QT06 (seed 004 §5.2), one service per step.

Each service checks the from-state and who may act, raises TransitionError when not allowed,
saves only the fields it changed, writes the event row, moves the deadline clock (portal
deadlines engine) and e-mails the applicant (portal notifications outbox) — in one transaction.
"""

import uuid

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from . import crypto
from . import deadlines as clock
from .models import (
    OPEN_STATUSES,
    STEP_OF_STATUS,
    AccountRequest,
    AutoVerification,
    Batch,
    IssuanceLogEntry,
    MailSystemExport,
    PersonKind,
    ReferenceCounter,
    RegistryImport,
    RequestEvent,
    RequestKind,
    Status,
    TemporaryPassword,
)
from .naming import check_local_part, domain_for, is_reserved


class TransitionError(Exception):
    """A step that is not allowed now, or not to this person. The message is for the user."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


# --- helpers -------------------------------------------------------------------------------


def _require(user, *roles):
    if user is None or not user.is_authenticated:
        raise TransitionError(_("Please log in first."))
    if not (user.is_superuser or user.has_role(*roles)):
        raise TransitionError(_("Your role does not take this step."))


def _lock(pk) -> AccountRequest:
    try:
        return AccountRequest.objects.select_for_update().get(pk=pk)
    except AccountRequest.DoesNotExist:
        raise TransitionError(_("This request does not exist.")) from None


def _absolute(path: str) -> str:
    return f"{settings.PORTAL_BASE_URL}{path}"


def tracking_url(req: AccountRequest) -> str:
    return _absolute(reverse("accounts:track", args=[req.tracking_token]))


def allocate_references(count: int, now) -> list[str]:
    """`count` new references TK-<year>-<nnnnnn>, from one locked counter row per year."""
    year = timezone.localtime(now).year
    with transaction.atomic():
        ReferenceCounter.objects.get_or_create(year=year)
        counter = ReferenceCounter.objects.select_for_update().get(year=year)
        first = counter.last + 1
        counter.last += count
        counter.save(update_fields=["last"])
    return [f"TK-{year}-{n:06d}" for n in range(first, first + count)]


def _event(req, action, from_status, to_status, actor, at, note=""):
    return RequestEvent.objects.create(
        request=req,
        action=action,
        from_status=from_status or "",
        to_status=to_status or "",
        actor=actor if actor is not None and actor.is_authenticated else None,
        at=at,
        note=note,
    )


def _move(req, to_status, *, actor, now, action, note="", holder_user=None, fields=()):
    """Close the step the request was on, open the next one, save, write the event."""
    from_status = req.status
    old_step, new_step = STEP_OF_STATUS.get(from_status), STEP_OF_STATUS.get(to_status)
    if old_step and old_step != new_step:
        clock.close_for(req, old_step, now)
    if new_step and (new_step != old_step or holder_user is not None):
        req.due_at = clock.open_for(req, new_step, now, holder_user=holder_user)
    req.status = to_status
    req.search_key = req.compute_search_key()
    req.save(update_fields=["status", "due_at", "search_key", "updated_at", *fields])
    event = _event(req, action, from_status, to_status, actor, now, note)
    _email_applicant(req, event)
    return event


def _email_applicant(req, event):
    """The applicant hears of every change of status (DESIGN.md accounts, issue 5 §10)."""
    from portal.notifications import notify

    template = {
        "submitted": "accounts/request_received",
        "resubmitted": "accounts/request_received",
        "rejected": "accounts/request_rejected",
        "notified": "accounts/result",
    }.get(event.action, "accounts/status_changed")
    with translation.override(req.language or "vi"):
        status_label = str(Status(req.status).label)
        kind_label = str(RequestKind(req.request_kind).label)
    context = {
        "reference": req.reference,
        "full_name": req.full_name,
        "form_code": req.form_code,
        "kind_label": kind_label,
        "status_label": status_label,
        "reason": req.reject_reason,
        "address": req.issued_address or req.existing_address,
        "due_at": req.due_at,
        "url": tracking_url(req),
        **getattr(event, "extra_context", {}),
    }
    notify(
        template=template,
        context=context,
        dedupe_key=f"accounts:{req.pk}:event:{event.pk}",
        email=req.contact_email,
        language=req.language or "vi",
    )


# --- steps 1–2: the applicant submits BM01 / BM02 -------------------------------------------

REQUEST_FIELDS = (
    "person_kind",
    "request_kind",
    "family_and_middle_names",
    "given_name",
    "date_of_birth",
    "person_id",
    "unit_name",
    "unit_code",
    "student_class",
    "cohort",
    "mobile_phone",
    "contact_email",
    "existing_address",
    "note",
)


def submit_request(
    data: dict, *, idempotency_key=None, created_by=None, now=None, language="vi"
) -> tuple[AccountRequest, bool]:
    """Receive a BM01/BM02 request; the 24-hour clock of step 3 starts (seed 004 step 3).

    A second submit of the same form (double click, back and resubmit) carries the same
    idempotency key and returns the request the first one created: (request, created=False).
    """
    now = now or timezone.now()
    if idempotency_key:
        found = AccountRequest.objects.filter(idempotency_key=idempotency_key).first()
        if found:
            return found, False
    try:
        with transaction.atomic():
            req = AccountRequest(
                **{f: data.get(f) or "" for f in REQUEST_FIELDS if f != "date_of_birth"},
                date_of_birth=data["date_of_birth"],
                reference=allocate_references(1, now)[0],
                idempotency_key=idempotency_key,
                status=Status.SUBMITTED,
                submitted_at=now,
                due_at=now,
                language=language,
                created_by=created_by if created_by and created_by.is_authenticated else None,
            )
            req.search_key = req.compute_search_key()
            req.save(force_insert=True)
            req.due_at = clock.open_for(req, "accounts.review", now)
            req.save(update_fields=["due_at"])
            event = _event(req, "submitted", "", Status.SUBMITTED, created_by, now)
            _email_applicant(req, event)
    except IntegrityError:
        # Two submits of one form at the same instant: the other one won.
        if idempotency_key:
            found = AccountRequest.objects.filter(idempotency_key=idempotency_key).first()
            if found:
                return found, False
        raise
    if auto_verify_request(req.pk, now=now):
        req.refresh_from_db()
    return req, True


def resubmit_request(token: str, data: dict, *, now=None) -> AccountRequest:
    """The applicant corrects a returned request through the tracking link: a new 24-hour
    clock for step 3 starts (issue 5 §4)."""
    now = now or timezone.now()
    with transaction.atomic():
        try:
            req = AccountRequest.objects.select_for_update().get(tracking_token=token)
        except AccountRequest.DoesNotExist:
            raise TransitionError(_("This request does not exist.")) from None
        if req.status != Status.REJECTED:
            raise TransitionError(_("Only a request returned for correction can be corrected."))
        changed = []
        for f in REQUEST_FIELDS:
            if f in data and f not in ("person_kind",) and getattr(req, f) != data[f]:
                setattr(req, f, data[f] if data[f] is not None else "")
                changed.append(f)
        req.claimed_by, req.claimed_at = None, None
        _move(
            req,
            Status.SUBMITTED,
            actor=None,
            now=now,
            action="resubmitted",
            note=", ".join(str(AccountRequest._meta.get_field(f).verbose_name) for f in changed),
            fields=[*changed, "claimed_by", "claimed_at"],
        )
    return req


def submit_batch(rows: list[dict], *, user, file_name: str, now=None) -> Batch:
    """Many BM01/BM02 rows of one unit at once (already validated, see accounts.bulk).

    bulk_create throughout: 10,000 rows make a few dozen queries, not tens of thousands.
    """
    now = now or timezone.now()
    _require(user, "applicant", "mtt_office")
    with transaction.atomic():
        batch = Batch.objects.create(
            created_by=user, file_name=file_name[:255], row_count=len(rows)
        )
        references = allocate_references(len(rows), now)
        due = clock.due_of("accounts.review", now)  # set at insert: no UPDATE of 10,000 rows
        requests = []
        for data, ref in zip(rows, references, strict=True):
            req = AccountRequest(
                **{f: data.get(f) or "" for f in REQUEST_FIELDS if f != "date_of_birth"},
                date_of_birth=data["date_of_birth"],
                reference=ref,
                status=Status.SUBMITTED,
                submitted_at=now,
                due_at=due,
                batch=batch,
                created_by=user,
                language=user.language or "vi",
            )
            req.search_key = req.compute_search_key()
            requests.append(req)
        AccountRequest.objects.bulk_create(requests, batch_size=1000)
        if requests and requests[0].pk is None:  # databases that return no ids
            by_ref = dict(AccountRequest.objects.filter(batch=batch).values_list("reference", "pk"))
            for req in requests:
                req.pk = req.id = by_ref[req.reference]
        clock.open_many(requests, "accounts.review", now)
        RequestEvent.objects.bulk_create(
            [
                RequestEvent(
                    request=r,
                    action="submitted",
                    to_status=Status.SUBMITTED,
                    actor=user,
                    at=now,
                    note=str(_("Bulk upload")) + f" {file_name}",
                )
                for r in requests
            ],
            batch_size=1000,
        )
        from portal.notifications import notify

        # One receipt to the unit that uploaded, listing the file: applicants hear of their
        # own request at its next change of status, each with their tracking link.
        notify(
            template="accounts/batch_received",
            context={
                "file_name": file_name,
                "count": len(rows),
                "first": references[0] if rows else "",
                "last": references[-1] if rows else "",
                "url": _absolute(reverse("accounts:batch", args=[batch.pk])),
            },
            dedupe_key=f"accounts:batch:{batch.pk}",
            user=user,
        )
        if AutoVerification.objects.filter(enabled=True).exists():
            from .tasks import auto_verify_batch_task

            transaction.on_commit(lambda: auto_verify_batch_task.delay(batch.pk))
    return batch


# --- step 3: the MTT Office checks against the registry -------------------------------------


def claim_request(pk, user, *, now=None) -> AccountRequest:
    """Take a request from the queue. One conditional UPDATE: of two reviewers, one wins."""
    _require(user, "mtt_office")
    now = now or timezone.now()
    with transaction.atomic():
        won = AccountRequest.objects.filter(pk=pk, status=Status.SUBMITTED, claimed_by=None).update(
            claimed_by=user, claimed_at=now
        )
        req = _lock(pk)
        if not won:
            if req.claimed_by_id and req.claimed_by_id != user.pk:
                raise TransitionError(
                    _("%(name)s is already checking this request.")
                    % {"name": req.claimed_by.display_name}
                )
            if req.claimed_by_id == user.pk:
                return req
            raise TransitionError(_("This request is not waiting to be checked."))
        _move(req, Status.IN_REVIEW, actor=user, now=now, action="claimed", holder_user=user)
    return req


def release_request(pk, user, *, now=None) -> AccountRequest:
    """Give a claimed request back to the queue (the reviewer is away, or claimed by mistake)."""
    _require(user, "mtt_office")
    now = now or timezone.now()
    with transaction.atomic():
        req = _lock(pk)
        if req.status != Status.IN_REVIEW:
            raise TransitionError(_("This request is not being checked."))
        if req.claimed_by_id != user.pk and not user.is_superuser:
            raise TransitionError(_("Only the person checking it can hand it back."))
        req.claimed_by, req.claimed_at = None, None
        clock.open_for(req, "accounts.review", now)  # the holder becomes the role again
        _move(
            req,
            Status.SUBMITTED,
            actor=user,
            now=now,
            action="released",
            fields=["claimed_by", "claimed_at"],
        )
    return req


def _check_reviewer(req, user):
    if req.status == Status.SUBMITTED and req.claimed_by_id is None:
        return  # verifying straight from the queue claims it on the way
    if req.status != Status.IN_REVIEW:
        raise TransitionError(_("This request is not waiting to be checked."))
    if req.claimed_by_id != user.pk:
        raise TransitionError(
            _("%(name)s is already checking this request.")
            % {"name": req.claimed_by.display_name if req.claimed_by else "?"}
        )


def verify_request(pk, user, *, note="", now=None) -> AccountRequest:
    """Correct against the registry: forward to the technical section (step 4 clock starts)."""
    _require(user, "mtt_office")
    now = now or timezone.now()
    with transaction.atomic():
        req = _lock(pk)
        _check_reviewer(req, user)
        req.claimed_by, req.claimed_at = user, req.claimed_at or now
        _move(
            req,
            Status.VERIFIED,
            actor=user,
            now=now,
            action="verified",
            note=note,
            fields=["claimed_by", "claimed_at"],
        )
    return req


def reject_request(pk, user, reason: str, *, now=None) -> AccountRequest:
    """Wrong against the registry: the reason is e-mailed; the applicant corrects the request."""
    _require(user, "mtt_office")
    reason = (reason or "").strip()
    if not reason:
        raise TransitionError(_("Give the reason: the applicant reads it to correct the request."))
    now = now or timezone.now()
    with transaction.atomic():
        req = _lock(pk)
        _check_reviewer(req, user)
        req.reject_reason = reason
        req.claimed_by, req.claimed_at = user, req.claimed_at or now
        _move(
            req,
            Status.REJECTED,
            actor=user,
            now=now,
            action="rejected",
            note=reason,
            fields=["reject_reason", "claimed_by", "claimed_at"],
        )
    return req


def bulk_verify_matching(user, *, now=None, limit=200) -> int:
    """Verify the waiting requests that match their registry record on every field."""
    from .selectors import compare_many

    _require(user, "mtt_office")
    now = now or timezone.now()
    candidates = list(
        AccountRequest.objects.filter(status=Status.SUBMITTED, claimed_by=None).order_by(
            "due_at", "id"
        )[:limit]
    )
    matching = [req.pk for req, cmp in compare_many(candidates) if cmp.exact]
    done = 0
    for pk in matching:
        try:
            verify_request(pk, user, note=str(_("Matches the registry on every field.")), now=now)
            done += 1
        except TransitionError:
            continue  # someone else took it meanwhile
    return done


def _blocks_auto_verification(req: AccountRequest, record) -> bool:
    """What sends a request that matches the registry to a person anyway: another request of
    the same person still open (or, for a new account, already issued), an address the person
    already has, or a note the applicant wrote for the office (an open flag)."""
    if req.note.strip():
        return True
    others = AccountRequest.objects.filter(
        person_kind=req.person_kind, person_id=req.person_id
    ).exclude(pk=req.pk)
    if others.filter(status__in=OPEN_STATUSES).exists():
        return True
    if not req.is_reset:
        if (
            record.email
            or others.filter(request_kind=RequestKind.NEW_ACCOUNT)
            .exclude(status=Status.REJECTED)
            .exists()
        ):
            return True
        if IssuanceLogEntry.objects.filter(
            person_kind=req.person_kind, person_id=req.person_id
        ).exists():
            return True
    return False


def auto_verify_request(pk, *, now=None) -> bool:
    """Step 3 without a person (issue 17): a request whose every checked field matches the
    registry exactly, with no duplicate and no open flag, is verified by the portal, when the
    admins switched it on for its kind of applicant. Anything else waits for the MTT Office.

    The history names the fields that matched and the date of the registry they matched.
    With a backend that reaches the mail system, the account is created next (a Celery job).
    """
    from .selectors import compare

    now = now or timezone.now()
    with transaction.atomic():
        req = _lock(pk)
        if req.status != Status.SUBMITTED or req.claimed_by_id is not None:
            return False
        if not AutoVerification.is_on(req.person_kind):
            return False
        from .selectors import registry_record_for

        record = registry_record_for(req)
        comparison = compare(req, record)
        if not comparison.exact or _blocks_auto_verification(req, record):
            return False
        last_import = (
            RegistryImport.objects.filter(kind=req.person_kind).order_by("-imported_at").first()
        )
        as_of = timezone.localtime(last_import.imported_at if last_import else record.updated_at)
        with translation.override(settings.LANGUAGE_CODE):
            note = str(_("Registry of %(date)s: %(fields)s.")) % {
                "date": f"{as_of:%d/%m/%Y}",
                "fields": ", ".join(row.label for row in comparison.rows),
            }
        _move(req, Status.VERIFIED, actor=None, now=now, action="auto_verified", note=note)
        from .provisioning.jobs import queue_provisioning

        queue_provisioning(req, requested_by=None, now=now)
    return True


def auto_verify_batch(batch_pk, *, now=None) -> int:
    """A bulk upload's rows, each through auto_verify_request (each in its own transaction)."""
    pks = AccountRequest.objects.filter(
        batch_id=batch_pk, status=Status.SUBMITTED, claimed_by=None
    ).values_list("pk", flat=True)
    return sum(auto_verify_request(pk, now=now) for pk in list(pks))


# --- step 4: the technician issues the account / resets the password ------------------------


def taken_addresses(candidates_prefix: str) -> set[str]:
    from .models import RegistryRecord

    prefix = candidates_prefix.lower()
    taken = set(
        IssuanceLogEntry.objects.filter(address__istartswith=prefix).values_list(
            "address", flat=True
        )
    )
    taken |= set(
        AccountRequest.objects.filter(issued_address__istartswith=prefix).values_list(
            "issued_address", flat=True
        )
    )
    taken |= set(
        RegistryRecord.objects.filter(email__istartswith=prefix).values_list("email", flat=True)
    )
    return {a.lower() for a in taken}


def suggested_address(req: AccountRequest) -> str:
    """For a reset, the existing address; else the rule's first free address."""
    from .naming import address_rule, local_part

    if req.is_reset:
        return req.existing_address
    if req.proposed_address:
        return req.proposed_address
    base = local_part(req.family_and_middle_names, req.given_name)
    return address_rule(
        req.family_and_middle_names,
        req.given_name,
        req.person_kind,
        taken=taken_addresses(base) if base else set(),
    )


def check_address(req: AccountRequest, address: str) -> str:
    """The address the technician typed, checked: right domain, valid, free, not reserved."""
    address = (address or "").strip().lower()
    if req.is_reset:
        if address != req.existing_address.lower():
            raise TransitionError(_("A reset keeps the existing address."))
        return address
    local, _at, domain = address.partition("@")
    if domain != domain_for(req.person_kind):
        raise TransitionError(
            _("The address must end in @%(domain)s.") % {"domain": domain_for(req.person_kind)}
        )
    if not check_local_part(local):
        raise TransitionError(_("Use lower-case letters, digits, dots or hyphens only."))
    if is_reserved(local):
        raise TransitionError(_("This name is reserved for the mail system."))
    if address in taken_addresses(address):
        raise TransitionError(_("This address has already been issued."))
    return address


def _store_password(req, password: str):
    TemporaryPassword.objects.update_or_create(
        request=req,
        defaults={
            "ciphertext": crypto.encrypt(password),
            "link_digest": None,
            "link_expires_at": None,
            "viewed_at": None,
            "destroyed_at": None,
            "failed_attempts": 0,
        },
    )


def issue_account(pk, user, *, address: str, password: str | None = None, now=None):
    """Step 4: the account is created (or its password reset) in the mail system.

    The temporary password is kept only encrypted; the applicant will see it once.
    """
    _require(user, "mtt_technician")
    now = now or timezone.now()
    with transaction.atomic():
        req = _lock(pk)
        if req.status != Status.VERIFIED:
            raise TransitionError(_("Only a checked request can be issued."))
        req.issued_address = check_address(req, address)
        existing = TemporaryPassword.objects.filter(request=req, ciphertext__isnull=False).first()
        if password:
            if len(password) < 10:
                raise TransitionError(_("The temporary password needs at least 10 characters."))
            _store_password(req, password)
        elif existing is None:
            _store_password(req, crypto.generate_password())
        req.issued_by, req.issued_at = user, now
        action = "reset_done" if req.is_reset else "issued"
        _move(
            req,
            Status.ISSUED,
            actor=user,
            now=now,
            action=action,
            note=req.issued_address,
            fields=["issued_address", "issued_by", "issued_at"],
        )
    return req


def export_for_mail_system(pks, user, *, now=None):
    """The technicians' bulk-upload file: the checked requests with their suggested address and
    a fresh temporary password each (encrypted here, in the file for the mail system).
    The download itself is audited (MailSystemExport + an event on each request)."""
    _require(user, "mtt_technician")
    now = now or timezone.now()
    rows = []
    with transaction.atomic():
        requests = list(
            AccountRequest.objects.select_for_update()
            .filter(pk__in=list(pks), status=Status.VERIFIED)
            .order_by("due_at", "id")
        )
        taken: set[str] = set()
        for req in requests:
            address = suggested_address(req)
            if address.lower() in taken:  # two namesakes in one file
                from .naming import address_rule

                address = address_rule(
                    req.family_and_middle_names,
                    req.given_name,
                    req.person_kind,
                    taken=taken | taken_addresses(address),
                )
            taken.add(address.lower())
            password = crypto.generate_password()
            _store_password(req, password)
            rows.append((req, address, password))
        export = MailSystemExport.objects.create(
            exported_by=user,
            mail_system=settings.ACCOUNTS_MAIL_SYSTEM,
            row_count=len(rows),
            references=[r.reference for r, _a, _p in rows],
        )
        for req, address, _p in rows:
            req.exported_at, req.proposed_address = now, address
        AccountRequest.objects.bulk_update(requests, ["exported_at", "proposed_address"])
        RequestEvent.objects.bulk_create(
            [
                RequestEvent(
                    request=r,
                    action="exported",
                    from_status=r.status,
                    to_status=r.status,
                    actor=user,
                    at=now,
                    note=f"{export.mail_system} #{export.pk}: {a}",
                )
                for r, a, _p in rows
            ]
        )
    return export, rows


# --- step 5: the account manager updates CreateEmailHUST-log --------------------------------


def _log_entry(
    req, user, now, *, action, address, note="", corrects=None, backend="", directory_id=""
):
    return IssuanceLogEntry.objects.create(
        recorded_at=now,
        request=req,
        reference=req.reference,
        full_name=req.full_name,
        person_kind=req.person_kind,
        person_id=req.person_id,
        unit_name=req.unit_name,
        address=address,
        action=action,
        issued_at=req.issued_at or now,
        issued_by_name=req.issued_by.display_name if req.issued_by_id else "",
        recorded_by=user,
        recorded_by_name=user.display_name if user else str(_("Portal (automatic)")),
        note=note,
        corrects=corrects,
        backend=backend,
        directory_id=directory_id,
    )


def record_issuance(pk, user, *, note="", now=None) -> IssuanceLogEntry:
    _require(user, "mtt_account_manager")
    now = now or timezone.now()
    with transaction.atomic():
        req = _lock(pk)
        if req.status != Status.ISSUED:
            raise TransitionError(_("Only an issued request can be logged."))
        entry = _log_entry(
            req, user, now, action=req.request_kind, address=req.issued_address, note=note
        )
        req.recorded_at = now
        _move(
            req,
            Status.RECORDED,
            actor=user,
            now=now,
            action="recorded",
            note=f"CreateEmailHUST-log #{entry.pk}",
            fields=["recorded_at"],
        )
    return entry


def correct_log_entry(entry_pk, user, *, address: str, note: str, now=None):
    """A correction is a new row that points at the one it corrects (the log is permanent)."""
    _require(user, "mtt_account_manager")
    note = (note or "").strip()
    if not note:
        raise TransitionError(_("Say what the correction is for."))
    now = now or timezone.now()
    with transaction.atomic():
        original = IssuanceLogEntry.objects.select_related("request").get(pk=entry_pk)
        address = (address or original.address).strip().lower()
        entry = _log_entry(
            original.request,
            user,
            now,
            action=IssuanceLogEntry.Action.CORRECTION,
            address=address,
            note=note,
            corrects=original,
        )
        _event(
            original.request,
            "log_corrected",
            original.request.status,
            original.request.status,
            user,
            now,
            f"#{original.pk} → #{entry.pk}: {note}",
        )
    return entry


# --- step 5 (notify): the MTT Office sends the result ---------------------------------------


def notify_result(pk, user, *, now=None) -> AccountRequest:
    """One click: the prepared e-mail with the address and a view-once link to the password."""
    _require(user, "mtt_office")
    now = now or timezone.now()
    with transaction.atomic():
        req = _lock(pk)
        send_result(req, user, now)
    return req


def send_result(req, user, now):
    """The result e-mail with its view-once link, for a locked, logged request (user: None when
    the portal sends it after provisioning by itself)."""
    import secrets
    from datetime import timedelta

    if req.status != Status.RECORDED:
        raise TransitionError(_("Only a logged issuance can be notified."))
    secret = TemporaryPassword.objects.select_for_update().filter(request=req).first()
    if secret is None or secret.ciphertext is None:
        raise TransitionError(_("There is no temporary password to send."))
    token = secrets.token_urlsafe(32)
    secret.link_digest = crypto.token_digest(token)
    secret.link_expires_at = now + timedelta(hours=settings.ACCOUNTS_SECRET_LINK_HOURS)
    secret.save(update_fields=["link_digest", "link_expires_at"])
    req.notified_at = now
    clock.close_for(req, "accounts.notify", now)
    from_status = req.status
    req.status = Status.NOTIFIED
    req.save(update_fields=["status", "notified_at", "updated_at"])
    event = _event(req, "notified", from_status, Status.NOTIFIED, user, now)
    event.extra_context = {
        "secret_url": _absolute(reverse("accounts:secret", args=[token])),
        "secret_expires_at": secret.link_expires_at,
        "hours": settings.ACCOUNTS_SECRET_LINK_HOURS,
        "is_reset": req.is_reset,
    }
    _email_applicant(req, event)


class SecretGone(Exception):
    pass


def reveal_password(token: str, *, id_check: str, now=None) -> tuple[AccountRequest, str]:
    """The view-once link: the applicant proves they hold it and knows the staff/student ID;
    the password is decrypted once and the ciphertext destroyed in the same transaction.
    Five wrong IDs, or the expiry, destroy it too."""
    now = now or timezone.now()
    outcome = None
    with transaction.atomic():
        secret = (
            TemporaryPassword.objects.select_for_update()
            .select_related("request")
            .filter(link_digest=crypto.token_digest(token))
            .first()
        )
        if secret is None or secret.ciphertext is None:
            outcome = "gone"
        elif secret.link_expires_at and secret.link_expires_at <= now:
            secret.ciphertext, secret.destroyed_at = None, now
            secret.save(update_fields=["ciphertext", "destroyed_at"])
            outcome = "gone"
        elif (id_check or "").strip().upper() != secret.request.person_id.strip().upper():
            secret.failed_attempts += 1
            fields = ["failed_attempts"]
            if secret.failed_attempts >= 5:
                secret.ciphertext, secret.destroyed_at = None, now
                fields += ["ciphertext", "destroyed_at"]
            secret.save(update_fields=fields)
            outcome = "wrong"
        else:
            req = secret.request
            password = crypto.decrypt(secret.ciphertext)
            secret.ciphertext, secret.viewed_at, secret.destroyed_at = None, now, now
            secret.save(update_fields=["ciphertext", "viewed_at", "destroyed_at"])
            _event(req, "password_viewed", req.status, req.status, None, now)
    # Raised after the commit: a wrong guess is counted, an expired secret stays destroyed.
    if outcome == "gone":
        raise SecretGone()
    if outcome == "wrong":
        raise TransitionError(_("This is not the ID the request was made with."))
    return req, password


def new_idempotency_key() -> str:
    return str(uuid.uuid4())


__all__ = [
    "PersonKind",
    "TransitionError",
    "submit_request",
    "claim_request",
    "verify_request",
    "reject_request",
    "resubmit_request",
    "issue_account",
    "record_issuance",
    "notify_result",
]
