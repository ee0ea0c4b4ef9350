"""Bulk intake: many BM01/BM02 rows of one unit at once."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import deadlines as clock
from ..models import (
    AccountRequest,
    AutoVerification,
    Batch,
    RequestEvent,
    RequestKind,
    Status,
)
from ._common import _absolute, _require, allocate_references, tracking_url, unit_ids
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
        units = unit_ids(d.get("unit_code") for d in rows)
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
                language=data.get("language") or "vi",
                unit_id=units.get(data.get("unit_code") or ""),
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
        events = RequestEvent.objects.bulk_create(
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
        _notify_applicants(requests, events, now)
        from portal.notifications import notify

        # One receipt to the unit that uploaded, listing the file (each applicant has their own,
        # above).
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
            from .provisioning import enqueue_batch_on_commit

            enqueue_batch_on_commit(batch.pk)
    return batch


def _notify_applicants(requests, events, now):
    """Each applicant of a bulk upload hears of their own request, in their language, with
    their own tracking link (issue 12 §4): the link is a Secret, sealed in the outbox row and put
    back only into that applicant's delivered mail, never in the uploader's receipt. One
    template render per language and one INSERT for the whole file (MessageRenderer,
    write_notifications)."""
    from portal.notifications import MessageRenderer, new_notification, write_notifications
    from portal.sealing import seal_secrets

    renderer = MessageRenderer("accounts/request_received")
    rows = []
    for req, event in zip(requests, events, strict=True):
        context, sealed = seal_secrets(
            {
                "reference": req.reference,
                "full_name": req.full_name,
                "form_code": req.form_code,
                "kind_label": RequestKind(req.request_kind).label,
                "url": tracking_url(req),
            }
        )
        rendered, alternates = renderer.render_languages(context, req.language or "vi")
        rows.append(
            new_notification(
                template="accounts/request_received",
                dedupe_key=f"accounts:{req.pk}:event:{event.pk or 'submitted'}",
                rendered=rendered,
                alternates=alternates,
                url=context["url"],
                email=req.contact_email,
                language=req.language or "vi",
                now=now,
                secrets=sealed,
            )
        )
    write_notifications(rows)
