"""Uploaded documents (minutes, official letters, evidence): checked by content, stored under
random names (issue 10 §2).

- `validate_document(upload)`: PDF or DOCX judged by the extension AND the content (a PDF
  starts with %PDF-; a DOCX is a zip holding word/document.xml), at most UPLOAD_MAX_MB;
- `RandomName("dialogue/minutes")`: the model's upload_to, a random file name under the
  prefix and the year, keeping only the (checked) extension: a stored name says nothing about
  the document and cannot be guessed.

The files are read back only through the protected download view (portal.downloads).
"""

import uuid
import zipfile

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

DOCUMENT_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def max_bytes() -> int:
    return int(getattr(settings, "UPLOAD_MAX_MB", 10)) * 1024 * 1024


def extension(name: str) -> str:
    name = (name or "").lower()
    return "." + name.rsplit(".", 1)[-1] if "." in name else ""


def _is_docx(upload) -> bool:
    try:
        with zipfile.ZipFile(upload) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    finally:
        upload.seek(0)


def validate_document(upload):
    if upload is None:
        return upload
    ext = extension(upload.name)
    if ext not in DOCUMENT_TYPES:
        raise forms.ValidationError(_("Upload a PDF or DOCX file."))
    if upload.size > max_bytes():
        raise forms.ValidationError(
            _("The file is larger than %(mb)s MB.") % {"mb": max_bytes() // (1024 * 1024)}
        )
    head = upload.read(8)
    upload.seek(0)
    real = head.startswith(b"%PDF-") if ext == ".pdf" else _is_docx(upload)
    if not real:
        raise forms.ValidationError(
            _("The file's content is not a real %(ext)s document.") % {"ext": ext[1:].upper()}
        )
    return upload


@deconstructible
class RandomName:
    """upload_to: <prefix>/<year>/<32 random hex digits><extension>."""

    def __init__(self, prefix: str):
        self.prefix = prefix.strip("/")

    def __call__(self, instance, filename: str) -> str:
        year = timezone.localdate().year
        return f"{self.prefix}/{year}/{uuid.uuid4().hex}{extension(filename)}"

    def __eq__(self, other):
        return isinstance(other, RandomName) and other.prefix == self.prefix
