"""Benchmark of the accounts app (MTT.QT06) on PostgreSQL, under gunicorn with 2 workers.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_accounts_bench \
        .venv/bin/python bench/accounts.py

1. the review queue with 100,000 requests (p50/p95 over 200 requests; target p50 <= 40 ms),
   and the same page with an accent-insensitive search;
2. the public BM02 form, GET (target p50 <= 15 ms);
3. a 10,000-row bulk upload: parse + validate + create (target <= 10 s).
Each line shows the ratio to the bare Django view measured in the same run.
"""

import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Server, report, setup_django  # noqa: E402

N_REQUESTS = int(os.environ.get("BENCH_ACCOUNTS_N", 100_000))
BULK_ROWS = 10_000
FAMILY = [
    "Nguyễn Văn",
    "Trần Thị",
    "Lê Hoàng",
    "Phạm Minh",
    "Hoàng Thị",
    "Vũ Đình",
    "Đặng Thu",
    "Bùi Quang",
    "Ngô Thị",
    "Đỗ Văn",
    "Trịnh Công",
    "Phùng Thị Ngọc",
]
GIVEN = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Hà",
    "Hương",
    "Khánh",
    "Long",
    "Mai",
    "Nam",
    "Thành",
    "Yến",
]


def ensure_database():
    import psycopg

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        raise SystemExit("Set DATABASE_URL to a PostgreSQL database for the benchmark.")
    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def populate(n):
    from django.utils import timezone

    from accounts.models import AccountRequest, Status
    from accounts.services import allocate_references

    have = AccountRequest.objects.count()
    if have >= n:
        return have
    rng = random.Random(4)
    now = timezone.now()
    statuses = [Status.SUBMITTED] * 7 + [Status.IN_REVIEW, Status.VERIFIED, Status.NOTIFIED]
    started = time.perf_counter()
    batch = []
    refs = allocate_references(n - have, now)
    for i, ref in enumerate(refs):
        family, given = rng.choice(FAMILY), rng.choice(GIVEN)
        req = AccountRequest(
            reference=ref,
            person_kind="student",
            request_kind="new_account",
            family_and_middle_names=family,
            given_name=given,
            date_of_birth=dt.date(2005, 1, 1),
            person_id=str(20200000 + have + i),
            unit_name="Trường Điện – Điện tử",
            unit_code="hust-seee",
            student_class="ĐTVT-01",
            cohort="K68",
            mobile_phone=f"+8491{rng.randrange(10**7):07d}",
            contact_email=f"sv{have + i}@example.com",
            status=rng.choice(statuses),
            submitted_at=now - dt.timedelta(hours=rng.uniform(0, 72)),
            due_at=now + dt.timedelta(hours=rng.uniform(-48, 24)),
        )
        req.search_key = req.compute_search_key()
        req.set_tracking_token()
        batch.append(req)
        if len(batch) == 5000:
            AccountRequest.objects.bulk_create(batch)
            batch = []
    AccountRequest.objects.bulk_create(batch)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE accounts_accountrequest")
    print(f"populated {n - have} requests in {time.perf_counter() - started:.1f} s", flush=True)
    return n


def session_cookie():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client

    user, _ = get_user_model().objects.get_or_create(
        username="bench_office", defaults={"full_name": "Bench Office"}
    )
    user.groups.add(Group.objects.get_or_create(name="mtt_office")[0])
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


def bulk_upload_seconds(count: int = BULK_ROWS):
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import transaction

    from accounts import bulk, services

    user = get_user_model().objects.get(username="bench_office")
    lines = [",".join(bulk.COLUMNS)]
    for i in range(count):
        lines.append(
            f"student,new_account,{FAMILY[i % 12]},{GIVEN[i % 12]},15/03/2005,{40000000 + i},"
            f"hust-seee,ĐTVT-01,K68,0912 {i % 1000:03d} {i % 997:03d},sv{i}@example.com,,"
        )
    from django.core.cache import cache

    cache.delete("accounts:unit-choices")
    upload = SimpleUploadedFile("bench.csv", "\n".join(lines).encode(), "text/csv")
    started = time.perf_counter()
    with transaction.atomic():
        rows, errors = bulk.parse_upload(upload)
        if errors:
            raise SystemExit(f"bulk rows rejected: {errors[:3]}")
        validated = time.perf_counter()
        services.submit_batch(rows, user=user, file_name="bench.csv")
        created = time.perf_counter()
        transaction.set_rollback(True)  # keep the data set the same for the next run
    return validated - started, created - validated


def main():
    ensure_database()
    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from office.models import Unit

    hust, _ = Unit.objects.get_or_create(
        code="hust", defaults={"kind": "university", "name": "Đại học Bách khoa Hà Nội"}
    )
    Unit.objects.get_or_create(
        code="hust-seee",
        defaults={"kind": "school", "name": "Trường Điện – Điện tử", "parent": hust},
    )
    total = populate(N_REQUESTS)
    cookie = session_cookie()
    print(f"accounts benchmark: {total} requests in PostgreSQL, gunicorn 2 workers", flush=True)
    with Server(workers=2) as server:
        base = server.measure("/bench/bare", n=200)
        report("bare Django view (baseline)", base)
        server.measure("/accounts/queue/", n=10, cookies=cookie)  # warm
        report(
            "review queue, 25 rows of 100k",
            server.measure("/accounts/queue/", n=200, cookies=cookie),
            base,
        )
        report(
            "review queue, all statuses",
            server.measure("/accounts/queue/?status=", n=200, cookies=cookie),
            base,
        )
        report(
            "review queue, search 'nguyen thi'",
            server.measure("/accounts/queue/?q=nguyen+thi", n=50, cookies=cookie),
            base,
        )
        server.measure("/accounts/apply/student/", n=10)
        report("public BM02 form, GET", server.measure("/accounts/apply/student/", n=200), base)
    validate_s, create_s = bulk_upload_seconds()
    print(
        f"{'bulk upload, 10,000 rows':<40} validate {validate_s:6.2f} s   create "
        f"{create_s:6.2f} s   total {validate_s + create_s:6.2f} s (target <= 10 s)",
        flush=True,
    )


if __name__ == "__main__":
    main()
