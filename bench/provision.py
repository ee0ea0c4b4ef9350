"""Benchmark: a cohort of 5,000 students verified and provisioned without a person (issue 17),
against the LDAP backend (Debian's slapd, started here under a temporary directory).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench \\
    REDIS_URL=redis://127.0.0.1:6379/7 .venv/bin/python bench/provision.py [--count 5000]

Steps, each timed and printed as requests per second:
  1. the unit's bulk upload of the cohort (submit_batch; the registry holds every student);
  2. automatic verification of the batch (auto_verify_batch: one transaction per request,
     each also queues its provisioning job);
  3. provisioning: this process plays the Celery worker and works every job in turn
     (provision_account: claim, LDAP add + password + pwdReset, issue, log, result e-mail);
  4. the LDAP backend alone (create_account of --direct accounts), the directory's own share.
The rows stay (the issuance log is append-only by design): use a throwaway database. Each run
uses fresh IDs, so it can be repeated on the same database.
"""

import argparse
import datetime as dt
import secrets
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import setup_django  # noqa: E402

FAMILY = ["Nguyễn Văn", "Trần Thị", "Lê Minh", "Phạm Thu", "Hoàng Đức", "Vũ Ngọc", "Đặng Quốc"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hà", "Hương", "Khoa", "Linh", "Minh", "Nam", "Phúc"]


def rate(n, seconds):
    return f"{n / seconds:8.1f} req/s  ({n} in {seconds:.1f} s)"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--direct", type=int, default=500, help="accounts for step 4")
    args = parser.parse_args()

    setup_django()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection

    from accounts import services, tasks
    from accounts.models import AutoVerification, ProvisioningJob, RegistryRecord, Status
    from accounts.provisioning import NewAccount, get_backend
    from accounts.services.provisioning import provision_account
    from tests.slapd import start_slapd

    if connection.vendor != "postgresql":
        raise SystemExit("bench/provision.py needs PostgreSQL: set DATABASE_URL=postgres://…")
    call_command("migrate", verbosity=0)
    slapd = start_slapd()
    try:
        settings.ACCOUNTS_PROVISIONING_BACKEND = "ldap"
        settings.ACCOUNTS_LDAP_URL = slapd.url
        settings.ACCOUNTS_LDAP_BIND_DN = slapd.admin_dn
        settings.ACCOUNTS_LDAP_BIND_PASSWORD = slapd.admin_password
        settings.ACCOUNTS_LDAP_PEOPLE_DN = slapd.people_dn
        # This process is the worker: the jobs are worked below, not sent to a broker.
        tasks.provision_account_task.delay = lambda *a, **k: None
        tasks.auto_verify_batch_task.delay = lambda *a, **k: None

        run = secrets.token_hex(2).upper()
        unit, _c = get_user_model().objects.get_or_create(username=f"bench-unit-{run}")
        unit.groups.add(Group.objects.get_or_create(name="applicant")[0])
        AutoVerification.objects.update_or_create(person_kind="student", defaults={"enabled": True})
        rows, records = [], []
        for i in range(args.count):
            family, given = FAMILY[i % len(FAMILY)], GIVEN[(i // len(FAMILY)) % len(GIVEN)]
            values = {
                "person_id": f"B{run}{i:06d}",
                "family_and_middle_names": family,
                "given_name": given,
                "date_of_birth": dt.date(2006, 1, 1) + dt.timedelta(days=i % 365),
                "unit_name": "Trường Công nghệ Thông tin và Truyền thông",
                "student_class": f"IT-{i % 40:02d}",
                "cohort": "K70",
                "mobile_phone": f"+8491{i:07d}",
            }
            records.append(RegistryRecord(kind="student", **values))
            rows.append(
                {
                    **values,
                    "person_kind": "student",
                    "request_kind": "new_account",
                    "unit_code": "soict",
                    "contact_email": f"b{run.lower()}{i}@example.com",
                }
            )
        RegistryRecord.objects.bulk_create(records, batch_size=1000)

        print(f"cohort of {args.count} students, LDAP at {slapd.url} (run {run})")
        t = time.perf_counter()
        batch = services.submit_batch(rows, user=unit, file_name=f"bench-{run}.csv")
        print(f"1. bulk upload          {rate(args.count, time.perf_counter() - t)}")

        t = time.perf_counter()
        verified = services.auto_verify_batch(batch.pk)
        print(f"2. verified by itself   {rate(verified, time.perf_counter() - t)}")

        jobs = list(
            ProvisioningJob.objects.filter(request__batch=batch).values_list("pk", flat=True)
        )
        t = time.perf_counter()
        for pk in jobs:
            provision_account(pk)
        elapsed = time.perf_counter() - t
        print(f"3. provisioned (1 worker) {rate(len(jobs), elapsed)}")
        states = dict(
            ProvisioningJob.objects.filter(request__batch=batch)
            .values_list("state")
            .annotate(n=__import__("django.db.models", fromlist=["Count"]).Count("id"))
        )
        notified = batch.requests.filter(status=Status.NOTIFIED).count()
        print(f"   jobs by state: {states}; requests with the result sent: {notified}")

        backend = get_backend()
        t = time.perf_counter()
        for i in range(args.direct):
            backend.create_account(
                NewAccount(
                    address=f"direct.{run.lower()}.{i}@sis.hust.edu.vn",
                    given_name="Đức",
                    family_name="Lê Thị",
                    password="Bench-Pass-123",
                    person_id=f"D{i}",
                    person_kind="student",
                    unit_name="",
                    unit_code="",
                    mobile_phone="",
                    reference=f"BENCH-{i}",
                )
            )
        print(f"4. LDAP backend alone   {rate(args.direct, time.perf_counter() - t)}")
    finally:
        slapd.stop()


if __name__ == "__main__":
    main()
