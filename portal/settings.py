"""Settings for the University Office Portal.

One module, configured by environment variables (see .env.example). With nothing set it runs on
the embedded default: SQLite under var/, a Celery broker on the file system under var/, e-mail
written to files under var/. Production sets DEBUG=False and must then provide SECRET_KEY and
ALLOWED_HOSTS, or start-up fails loudly.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

VAR_DIR = Path(env("VAR_DIR", default=str(BASE_DIR / "var")))

# Off unless turned on explicitly: the embedded default (make run, manage.py runportal) and the
# test script say DEBUG=True; anything else runs with production settings (issue 10 §11).
DEBUG = env.bool("DEBUG", default=False)

_DEV_SECRET_KEY = "insecure-development-key-do-not-use-in-production-0123456789abcdef"
SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = _DEV_SECRET_KEY

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# The address people reach the portal at, for links in e-mails (tracking links, view-once links).
PORTAL_BASE_URL = env("PORTAL_BASE_URL", default="http://localhost:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "django_celery_beat",
    "django_ratelimit",
    # Ours. office first: accounts and dialogue look units and people up there.
    "portal",
    "office",
    "accounts",
    "dialogue",
]

MIDDLEWARE = [
    # Outermost: counts every response by status for /metrics, the 500s and 503s included.
    "portal.health.MetricsMiddleware",
    # Next: everything after it (and gunicorn's access log) sees the client's address.
    "portal.middleware.ProxyClientAddressMiddleware",
    "portal.middleware.ReplicaHeaderMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # A view that loses the database answers 503 with Retry-After, not a 500 (portal.errors).
    "portal.errors.DatabaseUnavailableMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The logged-in person's saved language when the browser has not chosen one (portal.language).
    "portal.language.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Idle timeout and absolute lifetime of a logged-in session (portal.sessions).
    "portal.sessions.SessionLifetimeMiddleware",
    # Content-Security-Policy (django-csp): no inline script anywhere.
    "csp.middleware.CSPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Turns a rate-limited POST into the 429 page (RATELIMIT_VIEW), in the person's language.
    "django_ratelimit.middleware.RatelimitMiddleware",
    # Last, as django-axes asks: it turns a locked-out log-in into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.portal",
            ],
        },
    },
]

# --- Database: SQLite under var/ unless DATABASE_URL points at PostgreSQL -------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share the file (issue 12 §12). WAL lets readers run beside the one
    # writer; IMMEDIATE takes the write lock when a transaction begins, so a transaction that
    # reads then writes waits its turn (busy timeout) instead of failing with "database is
    # locked" when it tries to upgrade a read lock another writer holds.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
            ),
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis / Celery ----------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    # A broker that needs no server: messages are files under var/celery/.
    _broker_dir = VAR_DIR / "celery" / "queue"
    _broker_dir.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "store_processed": False,
        "control_folder": str(VAR_DIR / "celery" / "control"),
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_connect_timeout": 3,
        "socket_timeout": 5,
        # Publishing gives up fast when the broker is down (kombu's default retries for ~6 s):
        # accepting a request never waits on it; the outbox pick-up queues the task later.
        "max_retries": 1,
        "interval_start": 0,
        "interval_step": 0.2,
    }
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)

# --- Deadlines and notifications engine (portal.deadlines, portal.notifications) ------------
# Allowed hours per step type, overriding what the app registered: "accounts.review=24,…".
DEADLINE_HOURS = env.dict("DEADLINE_HOURS", cast={"value": float}, default={})
# The clock per step type: "wall" (the documents' "24 giờ") or "working" (Vietnamese calendar).
DEADLINE_CALENDARS = env.dict("DEADLINE_CALENDARS", default={})
# Working-hours clock: office hours, weekend days (Monday = 0), extra days off / make-up days.
DEADLINE_OFFICE_HOURS = [
    tuple(span.split("-"))
    for span in env.list("DEADLINE_OFFICE_HOURS", default=["08:00-12:00", "13:30-17:30"])
]
DEADLINE_WEEKEND = tuple(env.list("DEADLINE_WEEKEND", cast=int, default=[5, 6]))
DEADLINE_EXTRA_HOLIDAYS = env.list("DEADLINE_EXTRA_HOLIDAYS", default=[])
DEADLINE_EXTRA_WORKDAYS = env.list("DEADLINE_EXTRA_WORKDAYS", default=[])
# Outbox delivery: attempts, exponential back-off (base × 2^n, capped), lease of "sending".
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=5)
OUTBOX_RETRY_BASE_SECONDS = env.int("OUTBOX_RETRY_BASE_SECONDS", default=60)
OUTBOX_RETRY_MAX_SECONDS = env.int("OUTBOX_RETRY_MAX_SECONDS", default=3600)
OUTBOX_LEASE_SECONDS = env.int("OUTBOX_LEASE_SECONDS", default=300)
OUTBOX_PICK_UP_GRACE_SECONDS = env.int("OUTBOX_PICK_UP_GRACE_SECONDS", default=60)
# A working link in a mail (tracking, view-once) is kept encrypted until delivered, at most this.
OUTBOX_SECRET_HOURS = env.int("OUTBOX_SECRET_HOURS", default=72)
# Key of the portal's encrypted secrets; empty: derived from SECRET_KEY.
PORTAL_ENCRYPTION_KEY = env("PORTAL_ENCRYPTION_KEY", default="")
# Once SMTP accepted a mail, how long the worker retries recording it through a database outage
# (kept below 80 % of the lease in portal.notifications).
OUTBOX_RECORD_RETRY_SECONDS = env.int("OUTBOX_RECORD_RETRY_SECONDS", default=240)
# Personal data (Decree 13/2023/NĐ-CP): closed records keep their personal fields this long,
# then the daily retention task anonymises them; the notice names the contact for requests.
PRIVACY_RETENTION_DAYS = env.int("PRIVACY_RETENTION_DAYS", default=730)
PRIVACY_CONTACT_EMAIL = env("PRIVACY_CONTACT_EMAIL", default="dpo@hust.edu.vn")

if REDIS_URL:
    # A cache nothing depends on: while Redis is down, reads miss and writes are dropped
    # (portal.cache), so the public forms keep working from the database.
    CACHES = {
        "default": {
            "BACKEND": "portal.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The rate limits' counters: shared by every process, and independent of Redis.
CACHES["ratelimit"] = {"BACKEND": "portal.ratecache.CounterCache", "TIMEOUT": 3600}
# django-ratelimit knows only memcached and django-redis by name; portal.ratecache increments
# atomically in the database, which is what its warning is about.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]

# --- E-mail: files under var/mail unless EMAIL_URL names an SMTP server ---------------------
if env("EMAIL_URL", default=""):
    # e.g. smtp+tls://user:password@smtp.example.edu:587
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Cổng Văn phòng <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Users, log-in and lock-out ----------------------------------------------------------
AUTH_USER_MODEL = "portal.User"
LOGIN_URL = "login"
# A logged-in session ends after this long without a request, and this long after the log-in.
# Database sessions, read with one plain SELECT (portal.session_store).
SESSION_ENGINE = "portal.session_store"
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=30)
SESSION_MAX_HOURS = env.int("SESSION_MAX_HOURS", default=10)
SESSION_COOKIE_AGE = SESSION_MAX_HOURS * 3600
# The admin's path (e.g. a less guessable one in production), with its trailing slash.
ADMIN_URL = env("ADMIN_URL", default="admin/").strip("/") + "/"
LOGIN_REDIRECT_URL = "portal:dashboard"
LOGOUT_REDIRECT_URL = "portal:home"

# --- Sign-in with the university's identity (portal.identity, docs/identity.md) ---------------
# Local passwords: "all", or "superusers" (the break-glass administrators only; everyone else
# signs in with the university account or through LDAP).
LOCAL_PASSWORDS = env("LOCAL_PASSWORDS", default="all")
if LOCAL_PASSWORDS not in ("all", "superusers"):
    raise ImproperlyConfigured("LOCAL_PASSWORDS must be 'all' or 'superusers'.")
# OpenID Connect (Entra ID, Google Workspace, Keycloak, …): the endpoints come from the
# provider's discovery document at OIDC_ISSUER/.well-known/openid-configuration.
OIDC_ISSUER = env("OIDC_ISSUER", default="").rstrip("/")
OIDC_RP_CLIENT_ID = env("OIDC_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env("OIDC_CLIENT_SECRET", default="")
if OIDC_ISSUER and not (OIDC_RP_CLIENT_ID and OIDC_RP_CLIENT_SECRET):
    raise ImproperlyConfigured("OIDC_ISSUER needs OIDC_CLIENT_ID and OIDC_CLIENT_SECRET.")
OIDC_RP_SCOPES = env("OIDC_SCOPES", default="openid email profile")
OIDC_RP_SIGN_ALGO = env("OIDC_SIGN_ALGO", default="RS256")
OIDC_GROUPS_CLAIM = env("OIDC_GROUPS_CLAIM", default="groups")
OIDC_STAFF_CODE_CLAIM = env("OIDC_STAFF_CODE_CLAIM", default="")
OIDC_DISCOVERY_TTL = env.int("OIDC_DISCOVERY_TTL", default=3600)
OIDC_TIMEOUT = env.int("OIDC_TIMEOUT", default=10)
OIDC_USE_PKCE = True
OIDC_USE_NONCE = True
OIDC_PKCE_CODE_CHALLENGE_METHOD = "S256"
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_authentication_callback"
# LDAP (OpenLDAP, Active Directory, …) through the log-in form.
LDAP_SERVER_URI = env("LDAP_SERVER_URI", default="")
LDAP_BIND_DN = env("LDAP_BIND_DN", default="")
LDAP_BIND_PASSWORD = env("LDAP_BIND_PASSWORD", default="")
LDAP_START_TLS = env.bool("LDAP_START_TLS", default=False)
LDAP_CA_CERT_FILE = env("LDAP_CA_CERT_FILE", default="")
LDAP_USER_BASE = env("LDAP_USER_BASE", default="")
LDAP_USER_FILTER = env("LDAP_USER_FILTER", default="(uid=%(user)s)")
LDAP_GROUP_BASE = env("LDAP_GROUP_BASE", default="")
LDAP_GROUP_FILTER = env("LDAP_GROUP_FILTER", default="(objectClass=groupOfNames)")
LDAP_GROUP_TYPE = env("LDAP_GROUP_TYPE", default="groupOfNames")
if LDAP_GROUP_TYPE not in ("groupOfNames", "groupOfUniqueNames", "posixGroup", "activeDirectory"):
    raise ImproperlyConfigured(
        "LDAP_GROUP_TYPE must be groupOfNames, groupOfUniqueNames, posixGroup or activeDirectory."
    )
LDAP_EMAIL_ATTR = env("LDAP_EMAIL_ATTR", default="mail")
LDAP_NAME_ATTR = env("LDAP_NAME_ATTR", default="cn")
LDAP_STAFF_CODE_ATTR = env("LDAP_STAFF_CODE_ATTR", default="employeeNumber")
LDAP_TIMEOUT = env.int("LDAP_TIMEOUT", default=5)

# LDAP before local passwords: a directory user's log-in then costs no PBKDF2 round of the
# portal's own (Django hashes even against an unusable password, ~1 s here: bench/identity.py);
# the break-glass admin, unknown to LDAP, falls through to the local password.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend"]
if LDAP_SERVER_URI:
    AUTHENTICATION_BACKENDS.append("portal.identity.ldap.PortalLDAPBackend")
AUTHENTICATION_BACKENDS.append("portal.identity.backends.LocalPasswordBackend")
if OIDC_ISSUER:
    AUTHENTICATION_BACKENDS.append("portal.identity.oidc.PortalOIDCBackend")
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Five wrong passwords for one user name from one client address lock that pair out for 15
# minutes: a stranger cannot lock a staff member out of their own office (issue 10 §6).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_LOCKOUT_CALLABLE = "portal.lockout.lockout_response"
# How many reverse proxies in front of the portal append to X-Forwarded-For (0: none; the
# compose stack's nginx: 1). The client address is the one the last trusted proxy saw.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more.")
AXES_CLIENT_IP_CALLABLE = "portal.clientip.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# --- Rate limits of the public forms (django-ratelimit; portal.ratelimits) -----------------
# Counters in a database cache table: the forms stay limited, and work, when Redis is down.
RATE_LIMIT_PER_ADDRESS = env("RATE_LIMIT_PER_ADDRESS", default="30/h")
RATE_LIMIT_PER_TARGET = env("RATE_LIMIT_PER_TARGET", default="10/h")
RATE_LIMIT_RETRY_AFTER = env.int("RATE_LIMIT_RETRY_AFTER", default=600)
RATELIMIT_USE_CACHE = "ratelimit"
RATELIMIT_IP_META_KEY = "portal.clientip.client_ip"
RATELIMIT_VIEW = "portal.ratelimits.too_many"
RATELIMIT_ENABLE = env.bool("RATELIMIT_ENABLE", default=True)

# --- Language, time, formats -------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_TZ = True
# dd/mm/yyyy in both languages: the documents write dates that way.
FORMAT_MODULE_PATH = ["portal.formats"]

# --- Static and media ----------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env.bool("STATIC_MANIFEST", default=not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
if env("S3_BUCKET", default=""):
    # Scale-out: uploaded files on S3-compatible storage (pip install '.[s3]').
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("S3_BUCKET"),
            "endpoint_url": env("S3_ENDPOINT_URL", default=None),
            "default_acl": "private",
            "querystring_auth": True,
        },
    }
# Uploaded documents (portal.uploads): at most this many MB each.
UPLOAD_MAX_MB = env.int("UPLOAD_MAX_MB", default=10)
# Behind nginx: downloads answer with X-Accel-Redirect: <prefix>/<stored name> and nginx serves
# the file from an internal location with this prefix (e.g. /protected-media). Empty: the
# portal streams the file itself.
PROTECTED_MEDIA_ACCEL_PREFIX = env("PROTECTED_MEDIA_ACCEL_PREFIX", default="")
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- accounts: procedure MTT.QT06 (e-mail accounts) ------------------------------------------
# Seed 004 §4.1: staff a.xyz@hust.edu.vn, students a.xyz@sis.hust.edu.vn ({given}.{family}).
ACCOUNTS_STAFF_DOMAIN = env("ACCOUNTS_STAFF_DOMAIN", default="hust.edu.vn")
ACCOUNTS_STUDENT_DOMAIN = env("ACCOUNTS_STUDENT_DOMAIN", default="sis.hust.edu.vn")
ACCOUNTS_ADDRESS_PATTERN = env("ACCOUNTS_ADDRESS_PATTERN", default="{given}.{family}")
ACCOUNTS_RESERVED_NAMES = env.list(
    "ACCOUNTS_RESERVED_NAMES",
    default=[
        "postmaster",
        "admin",
        "administrator",
        "root",
        "abuse",
        "hostmaster",
        "webmaster",
        "noreply",
        "no-reply",
        "mailer-daemon",
        "security",
        "support",
        "office",
        "info",
    ],
)
# The layout of the technicians' bulk-upload CSV: "google" (Workspace) or "microsoft" (Entra ID).
ACCOUNTS_MAIL_SYSTEM = env("ACCOUNTS_MAIL_SYSTEM", default="google")
if ACCOUNTS_MAIL_SYSTEM not in ("google", "microsoft"):
    raise ImproperlyConfigured("ACCOUNTS_MAIL_SYSTEM must be 'google' or 'microsoft'.")
ACCOUNTS_STEP_HOURS = env.int("ACCOUNTS_STEP_HOURS", default=24)  # every MTT.QT06 step: 24 h
ACCOUNTS_SECRET_LINK_HOURS = env.int("ACCOUNTS_SECRET_LINK_HOURS", default=72)
# Requests that arrive by e-mail (issue 18): an IMAP mailbox, imap[s]://user:password@host:port/
# (the password from the environment), and/or a folder of .eml files (the embedded default).
ACCOUNTS_INTAKE_IMAP_URL = env("ACCOUNTS_INTAKE_IMAP_URL", default="")
ACCOUNTS_INTAKE_IMAP_FOLDER = env("ACCOUNTS_INTAKE_IMAP_FOLDER", default="INBOX")
ACCOUNTS_INTAKE_DIR = Path(env("ACCOUNTS_INTAKE_DIR", default=str(VAR_DIR / "intake")))
ACCOUNTS_INTAKE_MAX_BYTES = env.int("ACCOUNTS_INTAKE_MAX_BYTES", default=10 * 1024 * 1024)
# The MTT Office mailbox: replies to MTT.QT06 mail go there, where the intake task reads them.
ACCOUNTS_OFFICE_EMAIL = env("ACCOUNTS_OFFICE_EMAIL", default="")
NOTIFICATION_REPLY_TO = {"accounts/": ACCOUNTS_OFFICE_EMAIL}
# A tracking link stops working this many days after its request closed (issue 10 §7).
ACCOUNTS_TRACKING_LINK_DAYS = env.int("ACCOUNTS_TRACKING_LINK_DAYS", default=30)
# Uploaded tables (bulk intake, registry import): checked before they are read (issue 10 §3).
TABULAR_MAX_BYTES = env.int("TABULAR_MAX_BYTES", default=10 * 1024 * 1024)
TABULAR_MAX_UNCOMPRESSED_BYTES = env.int(
    "TABULAR_MAX_UNCOMPRESSED_BYTES", default=100 * 1024 * 1024
)
TABULAR_MAX_ZIP_RATIO = env.int("TABULAR_MAX_ZIP_RATIO", default=200)
TABULAR_MAX_ROWS = env.int("TABULAR_MAX_ROWS", default=20_000)
TABULAR_MAX_COLUMNS = env.int("TABULAR_MAX_COLUMNS", default=50)
# Key for the temporary passwords at rest; empty: derived from SECRET_KEY.
ACCOUNTS_ENCRYPTION_KEY = env("ACCOUNTS_ENCRYPTION_KEY", default="")
# Where step 4 creates the account (issue 17, docs/provisioning.md): "manual" (the CSV for the
# console, as before), "ldap", "google" (Admin SDK Directory API), "microsoft" (Graph).
ACCOUNTS_PROVISIONING_BACKEND = env("ACCOUNTS_PROVISIONING_BACKEND", default="manual")
if ACCOUNTS_PROVISIONING_BACKEND not in ("manual", "ldap", "google", "microsoft"):
    raise ImproperlyConfigured(
        "ACCOUNTS_PROVISIONING_BACKEND must be manual, ldap, google or microsoft."
    )
ACCOUNTS_PROVISIONING_MAX_ATTEMPTS = env.int("ACCOUNTS_PROVISIONING_MAX_ATTEMPTS", default=6)
ACCOUNTS_PROVISIONING_RETRY_SECONDS = env.int("ACCOUNTS_PROVISIONING_RETRY_SECONDS", default=30)
ACCOUNTS_LDAP_URL = env("ACCOUNTS_LDAP_URL", default="ldap://127.0.0.1:389")
ACCOUNTS_LDAP_BIND_DN = env("ACCOUNTS_LDAP_BIND_DN", default="")
ACCOUNTS_LDAP_BIND_PASSWORD = env("ACCOUNTS_LDAP_BIND_PASSWORD", default="")
ACCOUNTS_LDAP_PEOPLE_DN = env("ACCOUNTS_LDAP_PEOPLE_DN", default="ou=people,dc=hust,dc=edu,dc=vn")
ACCOUNTS_GOOGLE_API_URL = env("ACCOUNTS_GOOGLE_API_URL", default="https://admin.googleapis.com")
ACCOUNTS_GOOGLE_CREDENTIALS_FILE = env("ACCOUNTS_GOOGLE_CREDENTIALS_FILE", default="")
ACCOUNTS_GOOGLE_ADMIN_EMAIL = env("ACCOUNTS_GOOGLE_ADMIN_EMAIL", default="")
ACCOUNTS_GRAPH_API_URL = env("ACCOUNTS_GRAPH_API_URL", default="https://graph.microsoft.com")
ACCOUNTS_GRAPH_LOGIN_URL = env(
    "ACCOUNTS_GRAPH_LOGIN_URL", default="https://login.microsoftonline.com"
)
ACCOUNTS_GRAPH_TENANT_ID = env("ACCOUNTS_GRAPH_TENANT_ID", default="")
ACCOUNTS_GRAPH_CLIENT_ID = env("ACCOUNTS_GRAPH_CLIENT_ID", default="")
ACCOUNTS_GRAPH_CLIENT_SECRET = env("ACCOUNTS_GRAPH_CLIENT_SECRET", default="")
_PROVISIONING_NEEDS = {
    "ldap": ["ACCOUNTS_LDAP_BIND_DN", "ACCOUNTS_LDAP_BIND_PASSWORD"],
    "google": ["ACCOUNTS_GOOGLE_CREDENTIALS_FILE", "ACCOUNTS_GOOGLE_ADMIN_EMAIL"],
    "microsoft": [
        "ACCOUNTS_GRAPH_TENANT_ID",
        "ACCOUNTS_GRAPH_CLIENT_ID",
        "ACCOUNTS_GRAPH_CLIENT_SECRET",
    ],
}
_missing = [
    n for n in _PROVISIONING_NEEDS.get(ACCOUNTS_PROVISIONING_BACKEND, []) if not globals()[n]
]
if _missing:
    raise ImproperlyConfigured(
        f"ACCOUNTS_PROVISIONING_BACKEND={ACCOUNTS_PROVISIONING_BACKEND} "
        f"needs {', '.join(_missing)}."
    )

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Security (manage.py check --deploy is clean with DEBUG=False) --------------------------
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
# Content-Security-Policy: scripts only from our own static files (no inline script, no CDN).
# Styles allow inline attributes: the templates position a few things with style="…".
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The health checks answer plain HTTP probes from the orchestrator.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

# --- Operations: /readyz and /metrics (portal.health, docs/operations.md) --------------------
# Prometheus scrapes /metrics with "Authorization: Bearer <METRICS_TOKEN>"; empty: only
# signed-in people with the operations permission see it.
METRICS_TOKEN = env("METRICS_TOKEN", default="")
READYZ_BEAT_MAX_AGE_SECONDS = env.int("READYZ_BEAT_MAX_AGE_SECONDS", default=300)
READYZ_OUTBOX_MAX_AGE_SECONDS = env.int("READYZ_OUTBOX_MAX_AGE_SECONDS", default=900)

# Names this web replica in an X-Portal-Replica response header (scripts/stack.sh: web1, web2).
PORTAL_REPLICA = env("PORTAL_REPLICA", default="")

# Log lines and error reports never carry a working secret (a tracking or view-once link).
DEFAULT_EXCEPTION_REPORTER_FILTER = "portal.logfilters.SecretsReporterFilter"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "secrets": {"()": "portal.logfilters.RedactSecrets"},
        "refusals": {"()": "portal.logfilters.QuietRefusals"},
        "production": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["refusals", "secrets"],
        },
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["production", "secrets"],
        },
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Django's own configuration sends these to its handlers; ours redact first.
        "django": {"handlers": ["console", "mail_admins"], "propagate": False},
    },
}
if CELERY_BROKER_URL.startswith("filesystem://"):
    # The file-system broker has no host; kombu says so on every connection.
    LOGGING["loggers"]["kombu.connection"] = {"level": "ERROR"}
