"""Microsoft Entra ID, through Microsoft Graph v1.0, in plain HTTP.

Authorisation: the client-credentials flow of an app registration with User.ReadWrite.All —
POST {login}/{tenant}/oauth2/v2.0/token (client_id, client_secret,
scope=https://graph.microsoft.com/.default, grant_type=client_credentials) → access_token.

- create user: POST {graph}/v1.0/users — accountEnabled, displayName, mailNickname,
  userPrincipalName, givenName / surname (with diacritics), usageLocation "VN", employeeId,
  department, passwordProfile {password, forceChangePasswordNextSignIn: true}, and the request's
  reference in onPremisesExtensionAttributes.extensionAttribute1 (writable for cloud-only users).
  201 with the user (its "id"). An address in use: 400 Request_BadRequest "Another object with
  the same value for property userPrincipalName already exists." (Graph sends no 409 here.)
- get user: GET {graph}/v1.0/users/{userPrincipalName} — 200, or 404 Request_ResourceNotFound.
- update user: PATCH {graph}/v1.0/users/{userPrincipalName} {"accountEnabled": false} → 204.
429 and 503/504 carry Retry-After. The shapes the test fake follows: docs/provisioning.md.
"""

import urllib.parse

from django.conf import settings

from . import http
from .base import AlreadyExists, Backend, DirectoryAccount, ProvisioningError

_tokens = http.TokenCache()
SELECT = "id,userPrincipalName,onPremisesExtensionAttributes"


class MicrosoftBackend(Backend):
    name = "microsoft"

    def __init__(self):
        self.graph = settings.ACCOUNTS_GRAPH_API_URL.rstrip("/")
        self.login = settings.ACCOUNTS_GRAPH_LOGIN_URL.rstrip("/")

    def _token(self) -> str:
        def fetch():
            answer = http.request(
                "POST",
                f"{self.login}/{settings.ACCOUNTS_GRAPH_TENANT_ID}/oauth2/v2.0/token",
                form={
                    "client_id": settings.ACCOUNTS_GRAPH_CLIENT_ID,
                    "client_secret": settings.ACCOUNTS_GRAPH_CLIENT_SECRET,
                    "scope": "https://graph.microsoft.com/.default",
                    "grant_type": "client_credentials",
                },
            )
            if answer.status != 200 or "access_token" not in answer.body:
                reason = answer.body.get("error_description") or answer.status
                raise ProvisioningError(f"Entra ID token refused: {reason}")
            return answer.body["access_token"], float(answer.body.get("expires_in", 3600))

        return _tokens.get(fetch)

    def _user_url(self, address="") -> str:
        url = f"{self.graph}/v1.0/users"
        return f"{url}/{urllib.parse.quote(address)}" if address else url

    def create_account(self, account) -> str:
        body = {
            "accountEnabled": True,
            "displayName": account.full_name,
            "mailNickname": account.local_part,
            "userPrincipalName": account.address,
            "givenName": account.given_name,
            "surname": account.family_name,
            "usageLocation": "VN",
            "employeeId": account.person_id,
            "jobTitle": "Student" if account.person_kind == "student" else "Staff",
            "passwordProfile": {
                "password": account.password,
                "forceChangePasswordNextSignIn": True,
            },
            "onPremisesExtensionAttributes": {"extensionAttribute1": account.reference},
        }
        if account.unit_name:
            body["department"] = account.unit_name[:64]
        if account.mobile_phone:
            body["mobilePhone"] = account.mobile_phone
        answer = http.request("POST", self._user_url(), token=self._token(), json_body=body)
        if answer.status == 400 and "already exists" in answer.error_message():
            raise AlreadyExists(f"Entra ID: {answer.error_message()}")
        if answer.status != 201:
            raise ProvisioningError(f"Entra ID HTTP {answer.status}: {answer.error_message()}")
        return str(answer.body["id"])

    def exists(self, address: str) -> DirectoryAccount | None:
        answer = http.request(
            "GET", f"{self._user_url(address)}?$select={SELECT}", token=self._token()
        )
        if answer.status == 404:
            return None
        if answer.status != 200:
            raise ProvisioningError(f"Entra ID HTTP {answer.status}: {answer.error_message()}")
        extension = answer.body.get("onPremisesExtensionAttributes") or {}
        return DirectoryAccount(
            str(answer.body["id"]), address, extension.get("extensionAttribute1") or ""
        )

    def suspend(self, address: str) -> None:
        answer = http.request(
            "PATCH",
            self._user_url(address),
            token=self._token(),
            json_body={"accountEnabled": False},
        )
        if answer.status != 204:
            raise ProvisioningError(f"Entra ID HTTP {answer.status}: {answer.error_message()}")
