"""manage.py backup ARCHIVE: the database and the uploaded files in one tar (portal.backup)."""

from django.core.management.base import BaseCommand, CommandError

from portal.backup import BackupError, backup


class Command(BaseCommand):
    help = "Write a consistent backup (pg_dump + MEDIA_ROOT) into one archive."

    def add_arguments(self, parser):
        parser.add_argument("archive")
        parser.add_argument("--database", default="default")

    def handle(self, *args, archive, database, **options):
        try:
            manifest = backup(archive, using=database)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest["counts"].values())
        self.stdout.write(
            f"backup of {manifest['database']} written to {archive}: "
            f"{len(manifest['counts'])} tables, {rows} rows"
        )
