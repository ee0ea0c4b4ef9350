"""Provisioning backends (issue 17): the mail system's directory, chosen in settings
(ACCOUNTS_PROVISIONING_BACKEND = manual | ldap | google | microsoft). See docs/provisioning.md."""

from django.conf import settings
from django.utils.module_loading import import_string

from .base import (
    AlreadyExists,
    Backend,
    DirectoryAccount,
    NewAccount,
    ProvisioningError,
    RetryLater,
)

BACKENDS = {
    "manual": "accounts.provisioning.manual.ManualBackend",
    "ldap": "accounts.provisioning.ldap.LdapBackend",
    "google": "accounts.provisioning.google.GoogleBackend",
    "microsoft": "accounts.provisioning.microsoft.MicrosoftBackend",
}


def get_backend(name: str | None = None) -> Backend:
    name = name or settings.ACCOUNTS_PROVISIONING_BACKEND
    return import_string(BACKENDS[name])()


__all__ = [
    "AlreadyExists",
    "Backend",
    "DirectoryAccount",
    "NewAccount",
    "ProvisioningError",
    "RetryLater",
    "get_backend",
]
