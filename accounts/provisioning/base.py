"""The one interface every mail-system backend offers (issue 17): create_account, exists, suspend.

A backend knows its directory and nothing of the procedure: it takes a NewAccount and answers
with the directory's id, or raises one of the errors below. The job in
accounts/services/provisioning.py decides what an error means for the request (retry, show to
the technician, …).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class NewAccount:
    address: str  # the full address, lower case, without diacritics
    given_name: str  # with its diacritics (the directory's name fields keep them)
    family_name: str  # family and middle names, with diacritics
    password: str  # the temporary password; the directory forces a change at first sign-in
    person_id: str  # staff or student ID
    person_kind: str  # "staff" / "student"
    unit_name: str
    unit_code: str
    mobile_phone: str  # E.164
    reference: str  # the request's reference: marks the entry as created for this request

    @property
    def full_name(self) -> str:
        return f"{self.family_name} {self.given_name}".strip()

    @property
    def local_part(self) -> str:
        return self.address.partition("@")[0]


@dataclass(frozen=True)
class DirectoryAccount:
    """What the directory holds for an address: its id, and the request that created it (if
    the portal did), so a retry after a crash recognises its own entry."""

    directory_id: str
    address: str
    reference: str = ""


class ProvisioningError(Exception):
    """The directory refused, for good (bad request, no permission): a person must look."""


class AlreadyExists(ProvisioningError):
    """The address is taken in the directory (Google: 409; Graph: 400 'already exists')."""


class RetryLater(ProvisioningError):
    """Throttled (429) or the service is down (5xx, connection refused): try again later.
    `retry_after` is the server's Retry-After in seconds, when it sent one."""

    def __init__(self, message, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class Backend:
    name = ""
    # False: the portal does not reach the directory (manual: the CSV for the console).
    automatic = True

    def create_account(self, account: NewAccount) -> str:
        """Create the account; return the directory's id for it."""
        raise NotImplementedError

    def exists(self, address: str) -> DirectoryAccount | None:
        raise NotImplementedError

    def suspend(self, address: str) -> None:
        raise NotImplementedError
