"""python manage.py suggest_address --kind staff|student "Nguyễn Văn An"

Prints the address the MTT.QT06 rule gives (seed 004 §4.1), skipping addresses already issued
or reserved, so a technician can check a case quickly."""

from django.core.management.base import BaseCommand, CommandError

from accounts.naming import address_rule, local_part, split_full_name


class Command(BaseCommand):
    help = "Print the e-mail address the MTT.QT06 naming rule gives for a full name."

    def add_arguments(self, parser):
        parser.add_argument("full_name", help='The full name as written, e.g. "Nguyễn Văn An"')
        parser.add_argument("--kind", choices=["staff", "student"], default="staff")
        parser.add_argument(
            "--offline", action="store_true", help="Do not look at the addresses already issued."
        )

    def handle(self, *args, full_name, kind, offline, **options):
        family, given = split_full_name(full_name)
        if not family or not given:
            raise CommandError("Give the full name: family and middle names, then the given name.")
        taken = set()
        if not offline:
            from accounts.services import taken_addresses

            taken = taken_addresses(local_part(family, given))
        self.stdout.write(address_rule(family, given, kind, taken=taken))
