"""Manual, as before issue 17: the technician downloads the bulk-upload CSV for the mail
system's console (accounts/mailsystem.py) and marks the requests done by hand."""

from .base import Backend


class ManualBackend(Backend):
    name = "manual"
    automatic = False

    def create_account(self, account):
        raise NotImplementedError("the manual backend creates nothing: use the CSV")

    def exists(self, address):
        return None

    def suspend(self, address):
        raise NotImplementedError("the manual backend suspends nothing: use the console")
