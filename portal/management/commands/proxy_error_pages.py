from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.template.loader import render_to_string

# The statuses nginx answers itself (scripts/nginx.conf.template `error_page`).
STATUSES = (413, 502)
ERRORS_DIR = Path(settings.BASE_DIR) / "static" / "errors"


def max_upload_mb() -> int:
    """The largest file the portal takes, in MB: documents (UPLOAD_MAX_MB) or tables
    (TABULAR_MAX_BYTES). nginx's client_max_body_size (scripts/nginx.conf.template) sits above it;
    raise both together."""
    return max(settings.UPLOAD_MAX_MB, -(-settings.TABULAR_MAX_BYTES // (1024 * 1024)))


def render_page(status: int) -> str:
    """nginx's friendly page for `status`, in Vietnamese then English."""
    languages = [code for code, _name in settings.LANGUAGES]
    context = {"status": status, "languages": languages, "max_upload_mb": max_upload_mb()}
    return render_to_string("portal/errors/proxy.html", context)


class Command(BaseCommand):
    help = (
        "Write nginx's own error pages (request too large, no replica answering) into "
        "static/errors/ from templates/portal/errors/proxy.html, in Vietnamese and English. "
        "Rerun after changing the template or the translations; --check fails when they are stale."
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Fail if a page is out of date.")

    def handle(self, *args, check=False, **options):
        ERRORS_DIR.mkdir(parents=True, exist_ok=True)
        stale = []
        for status in STATUSES:
            path = ERRORS_DIR / f"{status}.html"
            page = render_page(status)
            if path.is_file() and path.read_text(encoding="utf-8") == page:
                continue
            stale.append(path.name)
            if not check:
                path.write_text(page, encoding="utf-8")
                self.stdout.write(f"wrote {path.relative_to(settings.BASE_DIR)}")
        if check and stale:
            raise CommandError(f"stale: {', '.join(stale)} (run manage.py proxy_error_pages)")
