"""An LDAP directory (OpenLDAP or any RFC 4510 server), through ldap3 (pure Python).

The entry is an inetOrgPerson under ACCOUNTS_LDAP_PEOPLE_DN: uid = the address's local part,
mail, givenName / sn / cn / displayName with their diacritics (LDAP strings are UTF-8),
employeeNumber = the staff or student ID, and description = "MTT.QT06 <reference>" so that a retry
recognises the entry it created. The initial password is set with the Password Modify extended
operation (RFC 3062), so the server hashes it with its own scheme, and `pwdReset: TRUE` (the
ppolicy overlay) makes the directory demand a new password at the first sign-in.
Suspending locks the entry for good (`pwdAccountLockedTime: 000001010000Z`, ppolicy).
"""

from django.conf import settings
from ldap3 import MODIFY_REPLACE, NONE, Connection, Server
from ldap3.core.exceptions import LDAPException, LDAPSocketOpenError, LDAPSocketReceiveError
from ldap3.utils.conv import escape_filter_chars
from ldap3.utils.dn import escape_rdn

from .base import AlreadyExists, Backend, DirectoryAccount, ProvisioningError, RetryLater

MARK = "MTT.QT06 "
ENTRY_ALREADY_EXISTS = 68
# busy, unavailable, unwillingToPerform, timeLimitExceeded, adminLimitExceeded: try again.
TRANSIENT = {3, 11, 51, 52, 53}


class LdapBackend(Backend):
    name = "ldap"

    def __init__(self, url=None, bind_dn=None, password=None, people_dn=None):
        self.url = url or settings.ACCOUNTS_LDAP_URL
        self.bind_dn = bind_dn or settings.ACCOUNTS_LDAP_BIND_DN
        self.password = password or settings.ACCOUNTS_LDAP_BIND_PASSWORD
        self.people_dn = people_dn or settings.ACCOUNTS_LDAP_PEOPLE_DN

    def _connect(self) -> Connection:
        try:
            return Connection(
                # get_info=NONE: reading the server's schema at every bind cost ~50 ms.
                Server(self.url, connect_timeout=10, get_info=NONE),
                self.bind_dn,
                self.password,
                auto_bind=True,
                receive_timeout=30,
                raise_exceptions=False,
            )
        except (LDAPSocketOpenError, LDAPSocketReceiveError) as exc:
            raise RetryLater(f"LDAP server unreachable: {exc}") from exc
        except LDAPException as exc:
            raise ProvisioningError(f"LDAP bind refused: {exc}") from exc

    def _dn(self, local_part: str) -> str:
        return f"uid={escape_rdn(local_part)},{self.people_dn}"

    @staticmethod
    def _fail(conn: Connection, what: str):
        code, message = conn.result.get("result"), conn.result.get("message") or ""
        text = f"LDAP {what}: {conn.result.get('description')} ({code}) {message}".strip()
        if code == ENTRY_ALREADY_EXISTS:
            raise AlreadyExists(text)
        if code in TRANSIENT:
            raise RetryLater(text)
        raise ProvisioningError(text)

    def create_account(self, account) -> str:
        conn = self._connect()
        try:
            dn = self._dn(account.local_part)
            attributes = {
                "uid": account.local_part,
                "mail": account.address,
                "givenName": account.given_name,
                "sn": account.family_name or account.given_name,
                "cn": account.full_name,
                "displayName": account.full_name,
                "employeeNumber": account.person_id,
                "employeeType": account.person_kind,
                "description": MARK + account.reference,
            }
            if account.unit_name:
                attributes["ou"] = account.unit_name
            if account.mobile_phone:
                attributes["mobile"] = account.mobile_phone
            if not conn.add(dn, ["inetOrgPerson"], attributes):
                self._fail(conn, "add")
            if not conn.extend.standard.modify_password(dn, new_password=account.password):
                self._fail(conn, "password")
            if not conn.modify(dn, {"pwdReset": [(MODIFY_REPLACE, ["TRUE"])]}):
                self._fail(conn, "pwdReset")
            conn.search(dn, "(objectClass=*)", search_scope="BASE", attributes=["entryUUID"])
            return str(conn.entries[0].entryUUID) if conn.entries else dn
        except (LDAPSocketOpenError, LDAPSocketReceiveError) as exc:
            raise RetryLater(f"LDAP connection lost: {exc}") from exc
        finally:
            conn.unbind()

    def exists(self, address: str) -> DirectoryAccount | None:
        conn = self._connect()
        try:
            conn.search(
                self.people_dn,
                f"(mail={escape_filter_chars(address)})",
                attributes=["entryUUID", "mail", "description"],
                size_limit=1,
            )
            if not conn.entries:
                return None
            entry = conn.entries[0]
            marks = [d for d in entry.description.values if str(d).startswith(MARK)]
            return DirectoryAccount(
                directory_id=str(entry.entryUUID),
                address=address,
                reference=str(marks[0])[len(MARK) :] if marks else "",
            )
        finally:
            conn.unbind()

    def suspend(self, address: str) -> None:
        found = self.exists(address)
        if found is None:
            raise ProvisioningError(f"LDAP: no entry for {address}")
        conn = self._connect()
        try:
            dn = self._dn(address.partition("@")[0])
            if not conn.modify(dn, {"pwdAccountLockedTime": [(MODIFY_REPLACE, ["000001010000Z"])]}):
                self._fail(conn, "suspend")
        finally:
            conn.unbind()
