# Production image: gunicorn serving the portal; the same image runs the Celery worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 DEBUG=False
WORKDIR /app

RUN useradd --create-home --uid 10001 portal
COPY pyproject.toml README.md ./
# python-ldap (LDAP sign-in) is built against OpenLDAP's headers; only its runtime libraries stay.
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential libldap2-dev libsasl2-dev \
 && pip install --upgrade pip && pip install . \
 && apt-get purge -y build-essential libldap2-dev libsasl2-dev && apt-get autoremove -y \
 && apt-get install -y --no-install-recommends libldap-2.5-0 libsasl2-2 \
 && rm -rf /var/lib/apt/lists/*
COPY . .
# Static files are collected at build time and served by WhiteNoise.
RUN SECRET_KEY=build-only-not-secret-build-only-not-secret-0123456789 ALLOWED_HOSTS=build \
    python manage.py collectstatic --noinput \
 && mkdir -p /app/var && chown -R portal /app/var
USER portal
EXPOSE 8000
CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "4", "--access-logfile", "-", "--logger-class", "portal.accesslog.Logger"]
