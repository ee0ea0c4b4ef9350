"""Celery tasks of MTT.QT06: thin doors onto the services, each safe to run twice."""

from celery import shared_task


@shared_task(name="accounts.provision_account")
def provision_account_task(job_id):
    from .provisioning.jobs import provision_account

    retry_at = provision_account(job_id)
    if retry_at is not None:
        # The back-off; if the broker loses it, the pick-up finds the row when it is due.
        provision_account_task.apply_async((job_id,), eta=retry_at)


@shared_task(name="accounts.pick_up_provisioning")
def pick_up_provisioning_task():
    from .provisioning.jobs import pick_up_provisioning

    return pick_up_provisioning()


@shared_task(name="accounts.auto_verify_batch")
def auto_verify_batch_task(batch_id):
    from .services import auto_verify_batch

    return auto_verify_batch(batch_id)
