"""One protected download view for every uploaded file (issue 10 §2).

An app registers each file field with the rule of the page that owns it:

    register_download(Question, "letter_file", can_read=lambda user, q: ...)

Templates link with `{% download_url question "letter_file" %}`: /files/<token>/, where the
token is signed (django.core.signing) and names the model, the object and the field, so a URL
cannot be forged or enumerated. The view checks the owner object's rule for the person asking
(404 when they may not see it, as the page does), then answers with the file as an attachment
with `X-Content-Type-Options: nosniff`; behind nginx (PROTECTED_MEDIA_ACCEL_PREFIX set) it
answers with `X-Accel-Redirect: <prefix>/<stored name>` and nginx sends the file from its
internal location. /media/ is never served directly.
"""

import mimetypes
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.core import signing
from django.http import FileResponse, Http404, HttpResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache

from .uploads import DOCUMENT_TYPES, extension

_SALT = "portal.downloads"


@dataclass(frozen=True)
class Download:
    model: type
    field: str
    can_read: Callable


_registry: dict[tuple[str, str], Download] = {}


def register_download(model, field: str, *, can_read: Callable) -> None:
    """`can_read(user, obj)`: the same rule as the page of `obj`."""
    _registry[(model._meta.label_lower, field)] = Download(model, field, can_read)


def _signer() -> signing.Signer:
    # No timestamp: a page shows the same link every time (the rule is checked on each use).
    return signing.Signer(salt=_SALT)


def download_url(obj, field: str) -> str:
    key = (obj._meta.label_lower, field)
    if key not in _registry:
        raise LookupError(f"{key} is not registered for protected downloads")
    token = _signer().sign_object([key[0], obj.pk, field], compress=True)
    return reverse("portal:download", args=[token])


@never_cache
def download(request, token):
    try:
        label, pk, field = _signer().unsign_object(token)
        entry = _registry[(label, field)]
    except (signing.BadSignature, KeyError, ValueError, TypeError):
        raise Http404 from None
    obj = entry.model._default_manager.filter(pk=pk).first()
    if obj is None or not entry.can_read(request.user, obj):
        raise Http404
    stored = getattr(obj, field)
    if not stored:
        raise Http404
    ext = extension(stored.name)
    content_type = DOCUMENT_TYPES.get(ext) or mimetypes.types_map.get(
        ext, "application/octet-stream"
    )
    filename = f"{apps.get_model(label)._meta.model_name}-{obj.pk}-{field}{ext}"
    prefix = getattr(settings, "PROTECTED_MEDIA_ACCEL_PREFIX", "").rstrip("/")
    if prefix:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = f"{prefix}/{stored.name}"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    else:
        try:
            handle = stored.open("rb")
        except (FileNotFoundError, OSError):
            raise Http404 from None
        response = FileResponse(
            handle, as_attachment=True, filename=filename, content_type=content_type
        )
    response["X-Content-Type-Options"] = "nosniff"
    return response
