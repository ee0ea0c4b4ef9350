"""manage.py restore ARCHIVE: a backup into an EMPTY database, then the counts are checked."""

from django.core.management.base import BaseCommand, CommandError

from portal.backup import BackupError, restore


class Command(BaseCommand):
    help = "Restore a backup made by `backup` into an empty database and check its row counts."

    def add_arguments(self, parser):
        parser.add_argument("archive")
        parser.add_argument("--database", default="default", help="a DATABASES alias")
        parser.add_argument(
            "--database-url", default="", help="or another empty database: postgres://…"
        )

    def handle(self, *args, archive, database, database_url, **options):
        try:
            result = restore(archive, using=database, database_url=database_url)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(result["counts"].values())
        self.stdout.write(
            f"restored {archive}: {len(result['counts'])} tables, {rows} rows, "
            "the same row counts as at backup time"
        )
