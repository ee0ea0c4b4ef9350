"""Bulk intake: many BM01/BM02 rows of one unit at once."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import deadlines as clock
from ..models import (
    AccountRequest,
    Batch,
    RequestEvent,
    Status,
)
from ._common import _absolute, _require, allocate_references
from .public import REQUEST_FIELDS


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
            req.set_tracking_token()
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
    return batch
