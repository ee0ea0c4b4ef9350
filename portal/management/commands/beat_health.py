"""Health check for the Celery beat container: the database scheduler ran a task recently."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Max
from django.utils import timezone
from django_celery_beat.models import PeriodicTask


class Command(BaseCommand):
    help = "Exit non-zero when no enabled periodic task has run in the last --minutes minutes."

    def add_arguments(self, parser):
        parser.add_argument("--minutes", type=int, default=5)

    def handle(self, *args, minutes, **options):
        last = PeriodicTask.objects.filter(enabled=True).aggregate(last=Max("last_run_at"))["last"]
        if last is None or timezone.now() - last > timedelta(minutes=minutes):
            raise CommandError(f"beat has not run a periodic task since {last}")
        self.stdout.write(f"beat ok, last run {last:%H:%M:%S %d/%m/%Y}")
