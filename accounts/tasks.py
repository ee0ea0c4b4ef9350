"""Celery tasks of MTT.QT06: thin doors onto the services."""

from celery import shared_task


@shared_task(name="accounts.read_intake_mailbox")
def read_intake_mailbox_task():
    from .intake.mailbox import read_configured

    return read_configured()
