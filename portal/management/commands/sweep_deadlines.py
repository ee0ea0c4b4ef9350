from django.core.management.base import BaseCommand
from django.utils import timezone

from portal.deadlines import sweep_deadlines


class Command(BaseCommand):
    help = (
        "Send the reminders and escalations that are due now and print them. The Celery beat "
        "task does the same every minute; running it twice sends nothing new."
    )

    def handle(self, *args, **options):
        now = timezone.now()
        result = sweep_deadlines(now=now)
        local = timezone.localtime(now)
        self.stdout.write(f"Sweep at {local:%d/%m/%Y %H:%M:%S} ({local.tzinfo})")
        for kind, rows in (("reminder", result.reminders), ("escalation", result.escalations)):
            for step, notifications in rows:
                due = timezone.localtime(step.due_at)
                to = ", ".join(n.recipient_label for n in notifications) or "nobody (no recipient)"
                self.stdout.write(
                    f"  {kind:<10} {step.step_type} {step.content_type.model} #{step.object_id}"
                    f" due {due:%d/%m/%Y %H:%M} → {to}"
                )
        if not (result.reminders or result.escalations):
            self.stdout.write("Nothing due: no reminder or escalation sent.")
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{len(result.reminders)} reminder(s), {len(result.escalations)} "
                    f"escalation(s): {result.sent} notification(s) queued for delivery."
                )
            )
