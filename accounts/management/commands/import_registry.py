"""python manage.py import_registry staff|students FILE (CSV or XLSX)"""

from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from accounts.registry import import_registry
from accounts.tabular import FileError


class Command(BaseCommand):
    help = "Import the staff or student registry export (upsert by ID) and print a summary."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["staff", "students", "student"])
        parser.add_argument("file")

    def handle(self, *args, kind, file, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}")
        kind = "student" if kind.startswith("student") else "staff"
        with path.open("rb") as fh:
            try:
                summary = import_registry(kind, File(fh, name=path.name), file_name=path.name)
            except FileError as exc:
                raise CommandError(str(exc.message)) from exc
        self.stdout.write(
            f"{path.name}: added {summary.added}, changed {summary.changed}, "
            f"unchanged {summary.unchanged}, rejected {summary.rejected}"
        )
        for r in summary.rejections:
            self.stdout.write(f"  row {r['row']}: {r['reason']}")
