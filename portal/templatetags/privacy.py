"""{% privacy_notice "accounts" %}: the notice above every form that collects personal data."""

from django import template
from django.conf import settings

from portal.privacy import NOTICE_PURPOSES, current_notice

register = template.Library()


@register.inclusion_tag("portal/_privacy_notice.html")
def privacy_notice(kind: str):
    processor, purpose = NOTICE_PURPOSES[kind]
    return {
        "notice": current_notice(),
        "processor": processor,
        "purpose": purpose,
        "retention_days": settings.PRIVACY_RETENTION_DAYS,
        "contact": settings.PRIVACY_CONTACT_EMAIL,
    }
