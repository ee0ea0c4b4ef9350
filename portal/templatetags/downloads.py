from django import template

from ..downloads import download_url as _download_url

register = template.Library()


@register.simple_tag
def download_url(obj, field):
    """{% download_url question "letter_file" %}: the protected link to an uploaded file."""
    return _download_url(obj, field)
