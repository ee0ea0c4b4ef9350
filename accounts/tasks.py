"""Celery tasks of MTT.QT06: thin doors onto the services, each safe to run twice."""

import logging

from celery import shared_task

log = logging.getLogger(__name__)


@shared_task(name="accounts.read_intake_mailbox")
def read_intake_mailbox_task():
    from .intake.mailbox import read_configured

    return read_configured()


@shared_task(name="accounts.provision_account")
def provision_account_task(job_id):
    from .services.provisioning import provision_account

    retry_at = provision_account(job_id)
    if retry_at is not None:
        # The back-off; if the broker loses it, the pick-up finds the row when it is due.
        enqueue_provisioning(job_id, retry_at)


@shared_task(name="accounts.pick_up_provisioning")
def pick_up_provisioning_task():
    from .services.provisioning import pick_up_provisioning

    return pick_up_provisioning()


@shared_task(name="accounts.auto_verify_batch")
def auto_verify_batch_task(batch_id):
    from .services import auto_verify_batch

    return auto_verify_batch(batch_id)


def enqueue_provisioning(job_id, eta=None) -> bool:
    """Handed to accounts.services.provisioning in AccountsConfig.ready()."""
    try:
        if eta is None:
            provision_account_task.delay(job_id)
        else:
            provision_account_task.apply_async((job_id,), eta=eta)
    except Exception:  # the broker is down: the pick-up queues the row when it answers
        log.warning("provisioning job %s: broker unreachable", job_id, exc_info=True)
        return False
    return True


def enqueue_batch_verification(batch_id) -> bool:
    try:
        auto_verify_batch_task.delay(batch_id)
    except Exception:  # the requests wait for the MTT Office as before
        log.warning("batch %s: broker unreachable for automatic verification", batch_id)
        return False
    return True
