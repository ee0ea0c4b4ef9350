"""Local stand-ins for the two cloud directories, following their published APIs exactly as far
as the portal uses them (docs/provisioning.md lists the references): request paths, bodies, the
bearer token, the token endpoints, and the documented errors — Google's 409 "Entity already
exists.", Graph's 400 "…already exists.", 404s, and 429 / 503 with Retry-After.

`fail_next(status, retry_after=…)` makes the next call(s) to the user endpoints fail as the
service does when it throttles or is down.
"""

import base64
import json
import secrets
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


class FakeDirectory:
    def __init__(self):
        self.users: dict[str, dict] = {}
        self.requests: list[tuple[str, str, dict | None, dict]] = []  # method, path, body, headers
        self.failures: list[tuple[int, str | None]] = []
        self.token = secrets.token_urlsafe(24)
        self.lock = threading.Lock()
        handler = type("Handler", (_Handler,), {"fake": self})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def reset(self):
        with self.lock:
            self.users.clear()
            self.requests.clear()
            self.failures.clear()

    def fail_next(self, status: int, retry_after: str | None = None, times: int = 1):
        with self.lock:
            self.failures.extend([(status, retry_after)] * times)

    def calls(self, method: str, prefix: str) -> list:
        return [r for r in self.requests if r[0] == method and r[1].startswith(prefix)]

    # subclasses: handle(method, path, query, body, headers) -> (status, body, headers)


class _Handler(BaseHTTPRequestHandler):
    fake: FakeDirectory

    def log_message(self, *args):
        pass

    def _serve(self, method):
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        ctype = self.headers.get("Content-Type", "")
        if "json" in ctype:
            body = json.loads(raw or b"{}")
        elif "x-www-form-urlencoded" in ctype:
            body = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
        else:
            body = None
        headers = {k.lower(): v for k, v in self.headers.items()}
        with self.fake.lock:
            self.fake.requests.append((method, unquote(parts.path), body, headers))
        status, reply, extra = self.fake.handle(
            method, unquote(parts.path), parse_qs(parts.query), body, headers
        )
        data = json.dumps(reply).encode() if reply is not None else b""
        self.send_response(status)
        if data:
            self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self._serve("GET")

    def do_POST(self):
        self._serve("POST")

    def do_PUT(self):
        self._serve("PUT")

    def do_PATCH(self):
        self._serve("PATCH")


def _injected(fake):
    with fake.lock:
        if not fake.failures:
            return None
        status, retry_after = fake.failures.pop(0)
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    return status, headers


# --- Google Workspace: Admin SDK Directory API v1 ----------------------------------------------

GOOGLE_USERS = "/admin/directory/v1/users"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"


def google_error(code, message, reason, status):
    return {
        "error": {
            "code": code,
            "message": message,
            "errors": [{"message": message, "domain": "global", "reason": reason}],
            "status": status,
        }
    }


class FakeGoogle(FakeDirectory):
    """admin.googleapis.com and oauth2.googleapis.com/token in one local server."""

    def __init__(self, public_key, client_email, admin_email):
        super().__init__()
        self.public_key, self.client_email, self.admin_email = public_key, client_email, admin_email

    def _token(self, body):
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        if (body or {}).get("grant_type") != JWT_BEARER:
            return (
                400,
                {"error": "unsupported_grant_type", "error_description": "Invalid grant_type"},
                {},
            )
        try:
            header, claims, signature = body["assertion"].split(".")
            self.public_key.verify(
                _b64decode(signature),
                f"{header}.{claims}".encode(),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
            claims = json.loads(_b64decode(claims))
        except Exception:
            return (
                400,
                {"error": "invalid_grant", "error_description": "Invalid JWT Signature."},
                {},
            )
        if (
            claims.get("iss") != self.client_email
            or claims.get("sub") != self.admin_email
            or claims.get("aud") != f"{self.url}/token"
            or "admin.directory.user" not in claims.get("scope", "")
        ):
            return 400, {"error": "invalid_grant", "error_description": "Invalid claims."}, {}
        return 200, {"access_token": self.token, "expires_in": 3599, "token_type": "Bearer"}, {}

    def handle(self, method, path, query, body, headers):
        if path == "/token" and method == "POST":
            return self._token(body)
        if not path.startswith(GOOGLE_USERS):
            return 404, google_error(404, "Not Found", "notFound", "NOT_FOUND"), {}
        if headers.get("authorization") != f"Bearer {self.token}":
            return (
                401,
                google_error(
                    401,
                    "Request had invalid authentication credentials.",
                    "authError",
                    "UNAUTHENTICATED",
                ),
                {"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'},
            )
        injected = _injected(self)
        if injected:
            status, extra = injected
            if status == 429:
                return (
                    status,
                    google_error(
                        429,
                        "Quota exceeded for quota metric 'Queries'",
                        "rateLimitExceeded",
                        "RESOURCE_EXHAUSTED",
                    ),
                    extra,
                )
            return (
                status,
                google_error(status, "Backend Error", "backendError", "UNAVAILABLE"),
                extra,
            )
        key = path[len(GOOGLE_USERS) + 1 :] if len(path) > len(GOOGLE_USERS) else ""
        if method == "POST" and not key:
            return self._insert(body or {})
        user = self.users.get(key.lower())
        if user is None:
            return (
                404,
                google_error(404, "Resource Not Found: userKey", "notFound", "NOT_FOUND"),
                {},
            )
        if method == "GET":
            return 200, user, {}
        if method == "PUT":
            user.update({k: v for k, v in (body or {}).items() if k in ("suspended",)})
            return 200, user, {}
        return 405, google_error(405, "Method Not Allowed", "badRequest", "INVALID_ARGUMENT"), {}

    def _insert(self, body):
        name = body.get("name") or {}
        missing = [
            f
            for f, v in (
                ("primaryEmail", body.get("primaryEmail")),
                ("name.givenName", name.get("givenName")),
                ("name.familyName", name.get("familyName")),
                ("password", body.get("password")),
            )
            if not v
        ]
        if missing:
            return (
                400,
                google_error(400, f"Invalid Input: {missing[0]}", "invalid", "INVALID_ARGUMENT"),
                {},
            )
        if not 8 <= len(body["password"]) <= 100:
            return 400, google_error(400, "Invalid Password", "invalid", "INVALID_ARGUMENT"), {}
        email = body["primaryEmail"].lower()
        if email in self.users:
            return (
                409,
                google_error(409, "Entity already exists.", "duplicate", "ALREADY_EXISTS"),
                {},
            )
        user = {
            "kind": "admin#directory#user",
            "id": str(100000000000000000000 + len(self.users) + 1),
            "primaryEmail": email,
            "name": {**name, "fullName": f"{name['givenName']} {name['familyName']}"},
            "isAdmin": False,
            "suspended": False,
            "changePasswordAtNextLogin": bool(body.get("changePasswordAtNextLogin")),
            "orgUnitPath": body.get("orgUnitPath") or "/",
            "externalIds": body.get("externalIds") or [],
        }
        if body.get("recoveryPhone"):
            user["recoveryPhone"] = body["recoveryPhone"]
        self.users[email] = user
        return 200, user, {}


# --- Microsoft Graph v1.0 and the Microsoft identity platform's token endpoint ------------------

GRAPH_USERS = "/v1.0/users"


def graph_error(code, message):
    return {
        "error": {
            "code": code,
            "message": message,
            "innerError": {"date": "2026-03-02T09:00:00", "request-id": str(uuid.uuid4())},
        }
    }


class FakeGraph(FakeDirectory):
    """graph.microsoft.com and login.microsoftonline.com in one local server."""

    def __init__(self, tenant, client_id, client_secret):
        super().__init__()
        self.tenant, self.client_id, self.client_secret = tenant, client_id, client_secret

    def _token(self, body):
        body = body or {}
        if body.get("grant_type") != "client_credentials":
            return 400, {"error": "unsupported_grant_type", "error_description": "AADSTS70003"}, {}
        if (
            body.get("client_id") != self.client_id
            or body.get("client_secret") != self.client_secret
        ):
            return (
                401,
                {
                    "error": "invalid_client",
                    "error_description": "AADSTS7000215: Invalid client secret provided.",
                },
                {},
            )
        if body.get("scope") != "https://graph.microsoft.com/.default":
            return 400, {"error": "invalid_scope", "error_description": "AADSTS1002012"}, {}
        return 200, {"token_type": "Bearer", "expires_in": 3599, "access_token": self.token}, {}

    def handle(self, method, path, query, body, headers):
        if path == f"/{self.tenant}/oauth2/v2.0/token" and method == "POST":
            return self._token(body)
        if not path.startswith(GRAPH_USERS):
            return 404, graph_error("UnknownError", ""), {}
        if headers.get("authorization") != f"Bearer {self.token}":
            return (
                401,
                graph_error("InvalidAuthenticationToken", "Access token validation failure."),
                {},
            )
        injected = _injected(self)
        if injected:
            status, extra = injected
            if status == 429:
                return (
                    status,
                    graph_error("TooManyRequests", "Too many requests. Please try again later."),
                    extra,
                )
            return status, graph_error("serviceNotAvailable", "Service unavailable."), extra
        key = path[len(GRAPH_USERS) + 1 :] if len(path) > len(GRAPH_USERS) else ""
        if method == "POST" and not key:
            return self._create(body or {})
        user = self.users.get(key.lower())
        if user is None:
            return (
                404,
                graph_error(
                    "Request_ResourceNotFound",
                    f"Resource '{key}' does not exist or one of its queried reference-property "
                    "objects are not present.",
                ),
                {},
            )
        if method == "GET":
            select = (query.get("$select") or [""])[0]
            shown = {k: v for k, v in user.items() if k != "passwordProfile"}
            if select:
                shown = {k: v for k, v in shown.items() if k in select.split(",")}
            return 200, shown, {}
        if method == "PATCH":
            user.update({k: v for k, v in (body or {}).items() if k == "accountEnabled"})
            return 204, None, {}
        return 405, graph_error("Request_BadRequest", "Method not allowed"), {}

    def _create(self, body):
        for field in ("accountEnabled", "displayName", "mailNickname", "userPrincipalName"):
            if body.get(field) in (None, ""):
                return (
                    400,
                    graph_error(
                        "Request_BadRequest",
                        f"Property '{field}' is required.",
                    ),
                    {},
                )
        profile = body.get("passwordProfile") or {}
        if not profile.get("password"):
            return (
                400,
                graph_error(
                    "Request_BadRequest", "Invalid value specified for property 'passwordProfile'."
                ),
                {},
            )
        upn = body["userPrincipalName"].lower()
        if upn in self.users:
            return (
                400,
                graph_error(
                    "Request_BadRequest",
                    "Another object with the same value for property userPrincipalName "
                    "already exists.",
                ),
                {},
            )
        user = {
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users/$entity",
            "id": str(uuid.uuid4()),
            **body,
        }
        self.users[upn] = user
        shown = {k: v for k, v in user.items() if k != "passwordProfile"}
        return 201, shown, {}
