"""The little HTTP the cloud directories need (JSON over HTTPS with a bearer token), on the
standard library: a 429 or a 5xx becomes RetryLater (with the server's Retry-After), a refused
connection too; every other answer is returned for the backend to read."""

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from .base import RetryLater

TIMEOUT = 30


@dataclass
class Answer:
    status: int
    body: dict

    def error_message(self) -> str:
        error = self.body.get("error") if isinstance(self.body, dict) else None
        if isinstance(error, dict):
            return str(error.get("message") or error.get("code") or "")
        return str(error or self.body)[:500]


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        from email.utils import parsedate_to_datetime

        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return None


def request(method, url, *, token=None, json_body=None, form=None) -> Answer:
    headers = {"Accept": "application/json"}
    data = None
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if json_body is not None:
        data = json.dumps(json_body).encode()
        headers["Content-Type"] = "application/json"
    elif form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as response:  # noqa: S310 — settings URL
            status, raw, reply_headers = response.status, response.read(), response.headers
    except urllib.error.HTTPError as exc:
        status, raw, reply_headers = exc.code, exc.read(), exc.headers
    except (urllib.error.URLError, OSError) as exc:
        raise RetryLater(f"{method} {urllib.parse.urlsplit(url).netloc}: {exc}") from exc
    try:
        body = json.loads(raw) if raw else {}
    except ValueError:
        body = {"error": raw[:500].decode(errors="replace")}
    answer = Answer(status, body)
    if status == 429 or status >= 500:
        raise RetryLater(
            f"HTTP {status}: {answer.error_message()}",
            retry_after=_retry_after(reply_headers.get("Retry-After")),
        )
    return answer


class TokenCache:
    """An access token kept in this process until a minute before it expires."""

    def __init__(self):
        self.token, self.expires = "", 0.0

    def get(self, fetch) -> str:
        if not self.token or time.time() > self.expires - 60:
            self.token, lifetime = fetch()
            self.expires = time.time() + lifetime
        return self.token
