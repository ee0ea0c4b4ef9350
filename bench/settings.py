"""Settings for the benchmarks: production-like (DEBUG off), PostgreSQL, plus a bare view."""

import os

os.environ.setdefault("DEBUG", "False")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstu")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
os.environ.setdefault("SECURE_SSL_REDIRECT", "False")
os.environ.setdefault("SESSION_COOKIE_SECURE", "False")
os.environ.setdefault("CSRF_COOKIE_SECURE", "False")
os.environ.setdefault("STATIC_MANIFEST", "False")
os.environ.setdefault("LOG_LEVEL", "WARNING")

from portal.settings import *  # noqa: E402,F403

ROOT_URLCONF = "bench.urls"
