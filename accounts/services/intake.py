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
    form_code_of,
    full_name_of,
    new_tracking_token,
    search_key_of,
    tracking_columns,
)
from ._common import _absolute, _require, allocate_references, tracking_url_maker, unit_ids
from .public import REQUEST_FIELDS

# Rows written together: what the intake holds in memory at once, whatever the file's size.
CHUNK = 1000


def submit_batch(rows: list[dict], *, user, file_name: str, now=None) -> Batch:
    """Many BM01/BM02 rows of one unit at once (already validated, see accounts.bulk).

    1,000 rows at a time, each chunk in a few statements (portal.bulkinsert: COPY on
    PostgreSQL) and without a model instance per row: 10,000 rows make a few dozen queries,
    and the memory held is one chunk's, not the file's.
    """
    now = now or timezone.now()
    _require(user, "applicant", "mtt_office")
    with transaction.atomic():
        batch = Batch.objects.create(
            created_by=user, file_name=file_name[:255], row_count=len(rows)
        )
        references = allocate_references(len(rows), now)
        intake = _Intake(
            batch=batch,
            user=user,
            file_name=file_name,
            now=now,
            units=unit_ids(d.get("unit_code") for d in rows),
        )
        for start in range(0, len(rows), CHUNK):
            intake.write(rows[start : start + CHUNK], references[start : start + CHUNK])
        from portal.notifications import notify

        # One receipt to the unit that uploaded, listing the file (each applicant has their own,
        # below).
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


class _Intake:
    """Writes a bulk upload chunk by chunk: the requests, their review step, their 'submitted'
    event and each applicant's confirmation — the rows submit_request writes for one."""

    def __init__(self, *, batch, user, file_name, now, units):
        from portal.notifications import MessageRenderer

        self.now, self.units = now, units
        self.due = clock.due_of("accounts.review", now)  # set at insert: no UPDATE afterwards
        self.request_common = {
            "status": Status.SUBMITTED,
            "submitted_at": now,
            "due_at": self.due,
            "batch": batch,
            "created_by": user,
        }
        self.event_common = {
            "action": "submitted",
            "to_status": Status.SUBMITTED,
            "actor": user,
            "at": now,
            "note": str(_("Bulk upload")) + f" {file_name}",
        }
        self.renderer = MessageRenderer("accounts/request_received")  # once per language
        self.tracking_url = tracking_url_maker()  # the URL reversed once

    def write(self, rows: list[dict], references: list[str]) -> None:
        from portal.bulkinsert import insert_many

        requests, tokens = [], []
        for data, ref in zip(rows, references, strict=True):
            values = {f: data.get(f) or "" for f in REQUEST_FIELDS if f != "date_of_birth"}
            values.update(
                date_of_birth=data["date_of_birth"],
                reference=ref,
                language=data.get("language") or "vi",
                unit_id=self.units.get(data.get("unit_code") or ""),
            )
            values["search_key"] = search_key_of(values.get)
            # The token is kept in memory for the link; the row holds what tracking_columns
            # keeps of it.
            token = new_tracking_token()
            values.update(tracking_columns(token))
            requests.append(values)
            tokens.append(token)
        ids = insert_many(AccountRequest, self.request_common, requests)
        clock.open_many(AccountRequest, ids, "accounts.review", self.now)
        events = insert_many(RequestEvent, self.event_common, [{"request_id": pk} for pk in ids])
        self._notify_applicants(requests, tokens, ids, events)

    def _notify_applicants(self, requests, tokens, ids, events):
        """Each applicant of a bulk upload hears of their own request, in their language, with
        their own tracking link (issue 12 §4): the link is a Secret, sealed in the outbox row
        and put back only into that applicant's delivered mail, never in the uploader's
        receipt. The template is rendered once per language (MessageRenderer) and the rows
        written in one COPY (write_new_notifications: their keys name the new events)."""
        from portal.notifications import notification_values, write_new_notifications
        from portal.sealing import seal_secrets

        rows = []
        for values, token, pk, event_pk in zip(requests, tokens, ids, events, strict=True):
            context, sealed = seal_secrets(
                {
                    "reference": values["reference"],
                    "full_name": full_name_of(
                        values["family_and_middle_names"], values["given_name"]
                    ),
                    "form_code": form_code_of(values["person_kind"]),
                    "kind_label": RequestKind(values["request_kind"]).label,
                    "url": self.tracking_url(token),
                }
            )
            language = values["language"]
            rendered, alternates = self.renderer.render_languages(context, language)
            rows.append(
                notification_values(
                    template="accounts/request_received",
                    dedupe_key=f"accounts:{pk}:event:{event_pk}",
                    rendered=rendered,
                    alternates=alternates,
                    url=context["url"],
                    email=values["contact_email"],
                    language=language,
                    now=self.now,
                    secrets=sealed,
                )
            )
        write_new_notifications(rows)
