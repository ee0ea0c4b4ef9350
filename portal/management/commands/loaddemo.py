import importlib.util

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.module_loading import import_string


class Command(BaseCommand):
    help = (
        "Load the demo data: one log-in per role, then each app's demo data from the seed "
        "documents (office, accounts, dialogue). Running it twice changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Load even with DEBUG off (demo passwords!)."
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG is off: demo log-ins with known passwords. Use --force.")
        # portal first, then the apps in INSTALLED_APPS order (office before its users).
        for config in apps.get_app_configs():
            if importlib.util.find_spec(f"{config.name}.demo") is None:
                continue
            load = import_string(f"{config.name}.demo.load")
            with transaction.atomic():
                load(stdout=self.stdout)
            self.stdout.write(f"{config.label}: demo data loaded")
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
