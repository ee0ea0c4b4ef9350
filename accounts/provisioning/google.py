"""Google Workspace, through the Admin SDK Directory API (v1), in plain HTTP.

Authorisation: a service account with domain-wide delegation. Its JSON key
(ACCOUNTS_GOOGLE_CREDENTIALS_FILE: client_email, private_key, token_uri) signs a JWT (RS256)
for the admin it acts as (ACCOUNTS_GOOGLE_ADMIN_EMAIL), exchanged at token_uri for an access
token (grant_type urn:ietf:params:oauth:grant-type:jwt-bearer), sent as "Authorization: Bearer".

- users.insert: POST {api}/admin/directory/v1/users — primaryEmail, name.givenName /
  name.familyName (with diacritics), password, changePasswordAtNextLogin: true, orgUnitPath
  (as in the CSV), externalIds (the staff/student ID; the request's reference as a custom id).
  200 with the user resource (its "id"); 409 "Entity already exists."
- users.get: GET {api}/admin/directory/v1/users/{userKey} — 200, or 404.
- users.update: PUT {api}/admin/directory/v1/users/{userKey} {"suspended": true}.
The request shapes the test fake follows are in docs/provisioning.md.
"""

import base64
import json
import time
import urllib.parse

from django.conf import settings

from ..mailsystem import org_unit_path
from . import http
from .base import AlreadyExists, Backend, DirectoryAccount, ProvisioningError

SCOPE = "https://www.googleapis.com/auth/admin.directory.user"
REFERENCE_TYPE = "MTT.QT06"
_tokens = http.TokenCache()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def signed_assertion(key: dict, subject: str, now: float | None = None) -> str:
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding

    now = int(now or time.time())
    header = {"alg": "RS256", "typ": "JWT", "kid": key.get("private_key_id", "")}
    claims = {
        "iss": key["client_email"],
        "sub": subject,
        "scope": SCOPE,
        "aud": key["token_uri"],
        "iat": now,
        "exp": now + 3600,
    }
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
    private_key = serialization.load_pem_private_key(key["private_key"].encode(), password=None)
    signature = private_key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{_b64(signature)}"


class GoogleBackend(Backend):
    name = "google"

    def __init__(self):
        self.api = settings.ACCOUNTS_GOOGLE_API_URL.rstrip("/")
        self.admin = settings.ACCOUNTS_GOOGLE_ADMIN_EMAIL

    def _token(self) -> str:
        def fetch():
            with open(settings.ACCOUNTS_GOOGLE_CREDENTIALS_FILE, encoding="utf-8") as f:
                key = json.load(f)
            answer = http.request(
                "POST",
                key["token_uri"],
                form={
                    "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer",
                    "assertion": signed_assertion(key, self.admin),
                },
            )
            if answer.status != 200 or "access_token" not in answer.body:
                raise ProvisioningError(f"Google token refused: {answer.error_message()}")
            return answer.body["access_token"], float(answer.body.get("expires_in", 3600))

        return _tokens.get(fetch)

    def _user_url(self, address="") -> str:
        url = f"{self.api}/admin/directory/v1/users"
        return f"{url}/{urllib.parse.quote(address)}" if address else url

    def create_account(self, account) -> str:
        body = {
            "primaryEmail": account.address,
            "name": {"givenName": account.given_name, "familyName": account.family_name},
            "password": account.password,
            "changePasswordAtNextLogin": True,
            "orgUnitPath": org_unit_path(account.person_kind, account.unit_code),
            "externalIds": [
                {"type": "organization", "value": account.person_id},
                {"type": "custom", "customType": REFERENCE_TYPE, "value": account.reference},
            ],
        }
        if account.mobile_phone:
            body["recoveryPhone"] = account.mobile_phone
        answer = http.request("POST", self._user_url(), token=self._token(), json_body=body)
        if answer.status == 409:
            raise AlreadyExists(f"Google: {answer.error_message()}")
        if answer.status != 200:
            raise ProvisioningError(f"Google HTTP {answer.status}: {answer.error_message()}")
        return str(answer.body["id"])

    def exists(self, address: str) -> DirectoryAccount | None:
        answer = http.request("GET", self._user_url(address), token=self._token())
        if answer.status == 404:
            return None
        if answer.status != 200:
            raise ProvisioningError(f"Google HTTP {answer.status}: {answer.error_message()}")
        reference = next(
            (
                e.get("value", "")
                for e in answer.body.get("externalIds") or []
                if e.get("type") == "custom" and e.get("customType") == REFERENCE_TYPE
            ),
            "",
        )
        return DirectoryAccount(str(answer.body["id"]), address, reference)

    def suspend(self, address: str) -> None:
        answer = http.request(
            "PUT", self._user_url(address), token=self._token(), json_body={"suspended": True}
        )
        if answer.status != 200:
            raise ProvisioningError(f"Google HTTP {answer.status}: {answer.error_message()}")
