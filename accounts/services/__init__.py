"""Every state change of procedure MTT.QT06 (seed 004 §5.2), one service per step.

Each service checks the from-state and who may act, raises TransitionError when not allowed,
saves only the fields it changed, writes the event row, moves the deadline clock (portal
deadlines engine) and e-mails the applicant (portal notifications outbox) — in one transaction.
One module per part of the procedure; this package re-exports them.
"""

from ._common import (
    TransitionError,
    allocate_references,
    new_idempotency_key,
    tracking_url,
)
from .automatic import (
    auto_verify_batch,
    auto_verify_request,
)
from .intake import (
    submit_batch,
)
from .issuance_log import (
    correct_log_entry,
    record_issuance,
)
from .public import (
    REQUEST_FIELDS,
    SecretGone,
    bound_idempotency_key,
    confirm_contact_change,
    confirm_contact_change_by_staff,
    remember_language,
    resubmit_request,
    reveal_password,
    submit_request,
    tracking_link_expired,
)
from .review import (
    bulk_verify_matching,
    claim_request,
    notify_result,
    reject_request,
    release_request,
    send_result,
    verify_request,
)
from .technician import (
    check_address,
    export_for_mail_system,
    issue_account,
    suggested_address,
    taken_addresses,
)

__all__ = [
    "TransitionError",
    "tracking_url",
    "allocate_references",
    "new_idempotency_key",
    "submit_batch",
    "record_issuance",
    "correct_log_entry",
    "REQUEST_FIELDS",
    "submit_request",
    "remember_language",
    "resubmit_request",
    "SecretGone",
    "reveal_password",
    "bound_idempotency_key",
    "tracking_link_expired",
    "confirm_contact_change",
    "confirm_contact_change_by_staff",
    "claim_request",
    "release_request",
    "verify_request",
    "reject_request",
    "bulk_verify_matching",
    "notify_result",
    "send_result",
    "auto_verify_request",
    "auto_verify_batch",
    "taken_addresses",
    "suggested_address",
    "check_address",
    "issue_account",
    "export_for_mail_system",
]
