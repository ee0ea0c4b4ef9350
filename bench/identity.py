"""Benchmark of signing in, on PostgreSQL, under gunicorn with 2 workers, against real servers.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_identity_bench \\
        .venv/bin/python bench/identity.py

Starts Debian's slapd (StartTLS) and the npm oidc-provider as the tests do
(tests/identity/servers.py), then times, each as p50/p95 next to the bare Django view:
1. a local-password log-in (POST /login/: PBKDF2 is most of it);
2. an LDAP log-in (POST /login/: StartTLS, service bind, search, user bind, groups, mapping);
3. a whole OpenID Connect sign-in (portal → provider log-in page → credentials → callback with
   the token exchange, JWKS check and userinfo → the page asked for), seen from the browser.
"""

import os
import re
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urljoin

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.accounts import ensure_database  # noqa: E402
from bench.common import Server, report, setup_django  # noqa: E402

N = int(os.environ.get("BENCH_IDENTITY_N", 100))


def timed_form_logins(server, username, password, n):
    import requests

    base = f"http://127.0.0.1:{server.port}"
    samples = []
    for _ in range(n):
        browser = requests.Session()
        page = browser.get(f"{base}/login/", timeout=30)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        start = time.perf_counter()
        done = browser.post(
            f"{base}/login/",
            data={"csrfmiddlewaretoken": token, "username": username, "password": password},
            headers={"Referer": f"{base}/login/"},
            allow_redirects=False,
            timeout=30,
        )
        samples.append((time.perf_counter() - start) * 1000)
        if done.status_code != 302:
            raise SystemExit(f"log-in of {username} answered {done.status_code}")
    return samples


def timed_oidc_sign_ins(server, login, password, n):
    import requests

    base = f"http://127.0.0.1:{server.port}"
    samples = []
    for _ in range(n):
        browser = requests.Session()
        start = time.perf_counter()
        page = browser.get(f"{base}/oidc/authenticate/?next=/work/", timeout=30)
        action = re.search(r'action="([^"]+)"', page.text).group(1)
        done = browser.post(
            urljoin(page.url, action), data={"login": login, "password": password}, timeout=30
        )
        samples.append((time.perf_counter() - start) * 1000)
        if done.url != f"{base}/work/":
            raise SystemExit(f"OpenID Connect sign-in ended at {done.url}")
    return samples


def main():
    ensure_database()
    from tests.identity.servers import PASSWORD, run_oidc_provider, run_slapd

    port_holder = Server(workers=2)  # its port is the portal's address for the provider
    with run_slapd() as slapd, run_oidc_provider(f"http://127.0.0.1:{port_holder.port}") as op:
        for name, value in {**slapd.settings(), **op.settings()}.items():
            env_name = {
                "OIDC_RP_CLIENT_ID": "OIDC_CLIENT_ID",
                "OIDC_RP_CLIENT_SECRET": "OIDC_CLIENT_SECRET",
                "OIDC_RP_SCOPES": "OIDC_SCOPES",
            }.get(name, name)
            os.environ[env_name] = str(value)
        os.environ["AXES_FAILURE_LIMIT"] = "1000"
        setup_django()
        from django.contrib.auth import get_user_model
        from django.core.management import call_command

        from portal.models import GroupRoleMapping

        call_command("migrate", verbosity=0)
        for group, role in (("mtt-office", "mtt_office"), ("directory-admins", "directory_admin")):
            GroupRoleMapping.objects.get_or_create(group=group, role=role, source="any")
        local, created = get_user_model().objects.get_or_create(username="bench_local")
        if created:
            local.set_password(PASSWORD)
            local.save()
        print(f"sign-in benchmark: gunicorn 2 workers, slapd {slapd.uri}, provider {op.issuer}")
        with port_holder as server:
            base = server.measure("/bench/bare", n=200)
            report("bare Django view (baseline)", base)
            timed_form_logins(server, "bench_local", PASSWORD, 5)  # warm
            report(
                "log-in, local password",
                timed_form_logins(server, "bench_local", PASSWORD, N),
                base,
            )
            timed_form_logins(server, "nga.ntt", PASSWORD, 5)
            ldap = timed_form_logins(server, "nga.ntt", PASSWORD, N)
            report("log-in, LDAP (StartTLS, 2 groups)", ldap, base)
            timed_oidc_sign_ins(server, "nga", PASSWORD, 5)
            oidc = timed_oidc_sign_ins(server, "nga", PASSWORD, max(N // 2, 10))
            report("sign-in, OpenID Connect (whole flow)", oidc, base)
        print(
            f"{'sign-ins per second, one browser':<40} LDAP {1000 / statistics.median(ldap):6.1f}"
            f"   OpenID Connect {1000 / statistics.median(oidc):6.1f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
