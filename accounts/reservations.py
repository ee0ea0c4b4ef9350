"""A suggested address is reserved until its request closes (issue 12 §2).

The reservation is the request's `proposed_address`, unique among requests (a partial unique
index on its lower case): two namesakes checked at the same moment cannot both hold it; the one
that loses the insert race takes the next free address.
"""

from django.db import IntegrityError, transaction

from .models import AccountRequest


def reserve_address(req: AccountRequest, *, attempts: int = 20) -> str:
    """The request's address by the naming rule, reserved for it (idempotent)."""
    from .naming import address_rule, local_part
    from .services import taken_addresses

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


def release_address(req: AccountRequest) -> None:
    AccountRequest.objects.filter(pk=req.pk).update(proposed_address="")
    req.proposed_address = ""
