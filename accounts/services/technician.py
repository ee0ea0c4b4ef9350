"""Step 4: the technician issues the account / resets the password."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import crypto
from ..models import (
    AccountRequest,
    IssuanceLogEntry,
    MailSystemExport,
    RequestEvent,
    Status,
    TemporaryPassword,
)
from ..naming import check_local_part, domain_for, is_reserved
from ._common import TransitionError, _lock, _move, _require

# --- step 4: the technician issues the account / resets the password ------------------------


def taken_addresses(candidates_prefix: str, *, exclude_pk=None) -> set[str]:
    """Addresses starting with the prefix that are issued, logged, in the registry, or
    reserved by another request (issue 12 §2)."""
    from ..models import RegistryRecord

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
    taken |= set(
        AccountRequest.objects.filter(proposed_address__istartswith=prefix)
        .exclude(pk=exclude_pk)
        .values_list("proposed_address", flat=True)
    )
    return {a.lower() for a in taken}


# A suggested address is reserved until its request closes (issue 12 §2). The reservation is
# the request's `proposed_address`, unique among requests (a partial unique index on its lower
# case): two namesakes checked at the same moment cannot both hold it; the one that loses the
# insert race takes the next free address.


def reserve_address(req: AccountRequest, *, attempts: int = 20) -> str:
    """The request's address by the naming rule, reserved for it (idempotent)."""
    from ..naming import address_rule, local_part

    if req.is_reset:
        return req.existing_address
    if req.proposed_address:
        return req.proposed_address
    base = local_part(req.family_and_middle_names, req.given_name)
    if not base:
        return ""
    for _attempt in range(attempts):
        address = address_rule(
            req.family_and_middle_names,
            req.given_name,
            req.person_kind,
            taken=taken_addresses(base, exclude_pk=req.pk),
        )
        try:
            with transaction.atomic():
                won = AccountRequest.objects.filter(pk=req.pk, proposed_address="").update(
                    proposed_address=address
                )
        except IntegrityError:
            continue  # another request reserved it a moment ago: take the next one
        if not won:
            req.refresh_from_db(fields=["proposed_address"])
        else:
            req.proposed_address = address
        return req.proposed_address
    return ""


def suggested_address(req: AccountRequest) -> str:
    """For a reset, the existing address; else the address reserved for this request (the
    rule's first free one, reserved now if the request was checked before reservations)."""
    return reserve_address(req)


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
    if address in taken_addresses(address, exclude_pk=req.pk):
        raise TransitionError(
            _("This address has already been issued or is reserved for another request.")
        )
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


def issue_account(
    pk, user, *, address: str, password: str | None = None, reason: str = "", now=None
):
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
        from ..duplicates import check_second_address

        check_second_address(req, req.issued_address, reason, user, now)
        if not req.is_reset:
            req.proposed_address = req.issued_address  # the reservation follows what was issued
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
            fields=["issued_address", "issued_by", "issued_at", "proposed_address"],
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
                from ..naming import address_rule

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
