from django.core.management.base import BaseCommand
from django.utils import timezone

from portal.models import Notification, NotificationStatus
from portal.notifications import deliver_notification, pick_up_notifications


class Command(BaseCommand):
    help = (
        "Deliver, in this process, the queued notifications whose attempt is due (for a machine "
        "without a Celery worker). Rows stuck in 'sending' past the lease are taken back first."
    )

    def handle(self, *args, **options):
        now = timezone.now()
        recovered = pick_up_notifications(now=now, enqueue=False)
        ids = Notification.objects.filter(
            status=NotificationStatus.QUEUED, next_attempt_at__lte=now
        ).values_list("pk", flat=True)
        sent = failed = 0
        for pk in list(ids):
            deliver_notification(pk, now=now)
            status = Notification.objects.values_list("status", flat=True).get(pk=pk)
            sent += status == NotificationStatus.SENT
            failed += status != NotificationStatus.SENT
        self.stdout.write(
            f"{sent} sent, {failed} not sent (see the outbox), "
            f"{recovered['recovered']} taken back from a stopped delivery."
        )
