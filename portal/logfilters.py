"""Keep working secrets out of log lines and error reports.

A tracking link or a view-once link carries its secret in the path (/accounts/track/<token>/).
Django logs paths ("Not Found: …", "Internal Server Error: …") and error reports show the
request: this filter and the reporter replace the secret part with [redacted].
"""

import logging
import re

from django.conf import settings
from django.views.debug import SafeExceptionReporterFilter

# A path segment that follows one of these words is a secret (settings.SECRET_PATH_WORDS).
_DEFAULT_WORDS = ("track", "secret", "files")


def _pattern() -> re.Pattern:
    words = getattr(settings, "SECRET_PATH_WORDS", _DEFAULT_WORDS)
    alternatives = "|".join(re.escape(w) for w in words)
    return re.compile(r"/(" + alternatives + r")/[^/\s?#\"']+")


def redact_paths(text: str) -> str:
    return _pattern().sub(r"/\1/[redacted]", text)


class RedactSecrets(logging.Filter):
    """A logging filter: the formatted message with every secret path segment redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_paths(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


class QuietRefusals(logging.Filter):
    """A refused or missing page (403, 404) is one line, not a traceback: a person following a
    link they may not open is no error of the portal (issue 12 §12: a calm log)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "django.request" and getattr(record, "status_code", 0) in (403, 404):
            record.exc_info, record.exc_text = None, None
        return True


class SecretsReporterFilter(SafeExceptionReporterFilter):
    """Error reports: the path and the view's arguments without the secret, and every local
    variable whose name says it holds one."""

    hidden_settings = re.compile(
        "API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE", flags=re.IGNORECASE
    )

    def get_safe_request_meta(self, request):
        meta = super().get_safe_request_meta(request)
        for key in ("PATH_INFO", "REQUEST_URI", "RAW_URI", "HTTP_REFERER", "QUERY_STRING"):
            if isinstance(meta.get(key), str):
                meta[key] = redact_paths(meta[key])
        return meta

    def get_traceback_frame_variables(self, request, tb_frame):
        cleansed = []
        for name, value in super().get_traceback_frame_variables(request, tb_frame):
            if self.hidden_settings.search(name):
                value = self.cleansed_substitute
            cleansed.append((name, value))
        return cleansed
