"""OpenID Connect sign-in with mozilla-django-oidc.

The library does the authorisation-code flow with PKCE, the state and the nonce, and checks the
ID token's signature against the provider's JWKS. What it needs configured by hand (the endpoint
URLs) is read here, in one place, from the provider's discovery document, fetched on first use
and cached. On top of the library we check the token's issuer and audience, take the groups
claim through the mapping, and turn every failure into a message on the log-in page.
"""

import logging
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.urls import reverse
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
    OIDCLogoutView,
)

from .services import signed_in_from_directory

log = logging.getLogger(__name__)

BACKEND_PATH = "portal.identity.oidc.PortalOIDCBackend"


class DiscoveryError(Exception):
    """The provider's discovery document could not be read or does not fit."""


def enabled() -> bool:
    return bool(settings.OIDC_ISSUER and settings.OIDC_RP_CLIENT_ID)


def metadata() -> dict:
    """The provider's discovery document (cached for OIDC_DISCOVERY_TTL seconds)."""
    issuer = settings.OIDC_ISSUER.rstrip("/")
    key = f"portal:oidc-discovery:{issuer}"
    found = cache.get(key)
    if found:
        return found
    url = f"{issuer}/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        found = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise DiscoveryError(f"{url}: {exc}") from exc
    # OpenID Connect Discovery 1.0 §4.3: the issuer in the document is the one we asked.
    if str(found.get("issuer", "")).rstrip("/") != issuer:
        raise DiscoveryError(f"{url}: issuer {found.get('issuer')!r} is not {issuer!r}")
    missing = [
        k for k in ("authorization_endpoint", "token_endpoint", "jwks_uri") if not found.get(k)
    ]
    if missing:
        raise DiscoveryError(f"{url}: no {', '.join(missing)}")
    cache.set(key, found, settings.OIDC_DISCOVERY_TTL)
    return found


class PortalOIDCBackend(OIDCAuthenticationBackend):
    """The library's backend with its endpoints from discovery and the portal's rules."""

    def __init__(self, *args, **kwargs):
        # The library reads endpoint settings here; ours come from discovery, lazily.
        self.UserModel = get_user_model()

    OIDC_RP_IDP_SIGN_KEY = None

    @property
    def OIDC_RP_CLIENT_ID(self):  # noqa: N802 — the library's attribute names
        return settings.OIDC_RP_CLIENT_ID

    @property
    def OIDC_RP_CLIENT_SECRET(self):  # noqa: N802
        return settings.OIDC_RP_CLIENT_SECRET

    @property
    def OIDC_RP_SIGN_ALGO(self):  # noqa: N802
        return settings.OIDC_RP_SIGN_ALGO

    @property
    def OIDC_OP_TOKEN_ENDPOINT(self):  # noqa: N802
        return metadata()["token_endpoint"]

    @property
    def OIDC_OP_USER_ENDPOINT(self):  # noqa: N802
        return metadata().get("userinfo_endpoint")

    @property
    def OIDC_OP_JWKS_ENDPOINT(self):  # noqa: N802
        return metadata()["jwks_uri"]

    def authenticate(self, request, **kwargs):
        if request is None or not enabled() or "code" not in request.GET:
            return None
        return super().authenticate(request, **kwargs)

    def verify_token(self, token, **kwargs):
        """Signature (JWKS) and nonce by the library; issuer, audience and expiry here."""
        if not token:
            raise SuspiciousOperation("The token response has no ID token.")
        payload = super().verify_token(token, **kwargs)
        if str(payload.get("iss", "")).rstrip("/") != metadata()["issuer"].rstrip("/"):
            raise SuspiciousOperation("The ID token was issued by another provider.")
        audience = payload.get("aud")
        audience = [audience] if isinstance(audience, str) else list(audience or [])
        if settings.OIDC_RP_CLIENT_ID not in audience:
            raise SuspiciousOperation("The ID token is meant for another client.")
        if "exp" not in payload:
            raise SuspiciousOperation("The ID token has no expiry.")
        return payload

    def get_userinfo(self, access_token, id_token, payload):
        """The ID token's claims, completed by the userinfo endpoint when there is one."""
        claims = dict(payload)
        if self.OIDC_OP_USER_ENDPOINT and access_token:
            info = super().get_userinfo(access_token, id_token, payload)
            if info.get("sub") != payload.get("sub"):
                raise SuspiciousOperation("The userinfo answer is about another person.")
            claims.update(info)
        self._claims = claims  # read again after the library has found or made the user
        return claims

    def verify_claims(self, claims):
        # An address the provider says it has not verified identifies nobody (Google sends
        # email_verified; Entra ID does not, and vouches for its tenant's addresses).
        return bool(
            claims.get("sub") and claims.get("email") and claims.get("email_verified") is not False
        )

    def filter_users_by_claims(self, claims):
        # The break-glass administrators stay reachable by their password only: an identity at
        # the provider with the same address does not become them.
        return super().filter_users_by_claims(claims).filter(is_superuser=False)

    def get_username(self, claims):
        base = str(claims.get("preferred_username") or claims["email"]).strip()[:150]
        username, n = base, 1
        while self.UserModel.objects.filter(username__iexact=username).exists():
            n += 1
            username = f"{base[:140]}-{n}"
        return username

    def create_user(self, claims):
        user = self.UserModel.objects.create_user(
            self.get_username(claims), email=claims.get("email")
        )
        return self.update_user(user, claims)

    def update_user(self, user, claims):
        fields = {
            "email": claims.get("email") or user.email,
            "full_name": (claims.get("name") or user.full_name)[:150],
        }
        changed = [k for k, v in fields.items() if getattr(user, k) != v]
        for k in changed:
            setattr(user, k, fields[k])
        if changed:
            user.save(update_fields=changed)
        return user

    def get_or_create_user(self, access_token, id_token, payload):
        user = super().get_or_create_user(access_token, id_token, payload)
        if user is None or not user.is_active:
            return user
        claims = self._claims
        groups = claims.get(settings.OIDC_GROUPS_CLAIM) or []
        if isinstance(groups, str):
            groups = [groups]
        staff_code = (
            str(claims.get(settings.OIDC_STAFF_CODE_CLAIM) or "")
            if settings.OIDC_STAFF_CODE_CLAIM
            else ""
        )
        return signed_in_from_directory(
            user, source="oidc", groups=groups, email=claims.get("email"), staff_code=staff_code
        )

    def get_user(self, user_id):
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None


def _failure(request, message):
    if request.user.is_authenticated:
        auth.logout(request)
    messages.error(request, message)
    return HttpResponseRedirect(reverse("login"))


class SignInView(OIDCAuthenticationRequestView):
    """Send the person to the provider's log-in page (state, nonce and PKCE by the library)."""

    def __init__(self, *args, **kwargs):
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)

    def get(self, request):
        if not enabled():
            raise Http404
        try:
            self.OIDC_OP_AUTH_ENDPOINT = metadata()["authorization_endpoint"]
        except DiscoveryError as exc:
            log.warning("OpenID Connect discovery failed: %s", exc)
            return _failure(
                request,
                _("The university sign-in cannot be reached right now. Please try again later."),
            )
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        return super().get(request)


class CallbackView(OIDCAuthenticationCallbackView):
    """Back from the provider: a session when everything checks out, else a clear message."""

    def get(self, request):
        if not enabled():
            raise Http404
        try:
            return super().get(request)
        except SuspiciousOperation as exc:
            log.warning("OpenID Connect sign-in refused: %s", exc)
            return _failure(
                request,
                _(
                    "The answer of the university sign-in could not be verified, so you are "
                    "not signed in. Please try again."
                ),
            )
        except (requests.RequestException, DiscoveryError) as exc:
            log.warning("OpenID Connect provider failed: %s", exc)
            return _failure(
                request,
                _("The university sign-in cannot be reached right now. Please try again later."),
            )

    def login_failure(self):
        if self.request.GET.get("error") == "access_denied":
            message = _("You cancelled the sign-in with the university account.")
        else:
            message = _(
                "The sign-in with the university account did not succeed, so you are not "
                "signed in. Please try again."
            )
        return _failure(self.request, message)


def provider_logout_url(request) -> str:
    """Where to go after the portal's log-out: the provider's end-session endpoint
    (RP-initiated logout) for a person who signed in there, else the home page."""
    home = resolve_url(settings.LOGOUT_REDIRECT_URL)
    if request.session.get(auth.BACKEND_SESSION_KEY) != BACKEND_PATH or not enabled():
        return home
    try:
        end_session = metadata().get("end_session_endpoint")
    except DiscoveryError:
        return home
    if not end_session:
        return home
    query = urlencode(
        {
            "client_id": settings.OIDC_RP_CLIENT_ID,
            "post_logout_redirect_uri": request.build_absolute_uri(home),
        }
    )
    return f"{end_session}{'&' if '?' in end_session else '?'}{query}"


class LogoutView(OIDCLogoutView):
    """POST /logout/: out of the portal, and out of the provider where it supports it."""

    http_method_names = ["post"]

    def post(self, request):
        home = resolve_url(settings.LOGOUT_REDIRECT_URL)
        url = provider_logout_url(request) if request.user.is_authenticated else home
        auth.logout(request)
        if url == home:
            return HttpResponseRedirect(home)
        # Not a redirect: the Content-Security-Policy's form-action 'self' also governs where a
        # form's redirect may go, so the provider is reached by a page that moves on by itself.
        return render(request, "registration/logged_out_provider.html", {"provider_url": url})
