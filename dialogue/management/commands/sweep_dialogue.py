from django.core.management.base import BaseCommand

from dialogue.services import sweep_late_milestones


class Command(BaseCommand):
    help = "Mark the milestones past their last day (and not done) late. Safe to run twice."

    def handle(self, *args, **options):
        count = sweep_late_milestones()
        self.stdout.write(f"{count} milestone(s) marked late.")
