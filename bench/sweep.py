"""Benchmark: the deadline sweep over 1,000,000 open steps of which 100 are due.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench \\
    REDIS_URL=redis://127.0.0.1:6379/7 .venv/bin/python bench/sweep.py [--steps 1000000]

Creates the database's tables if needed (migrate), inserts the steps with one
INSERT … SELECT generate_series, and prints:
  - one sweep with 100 steps due (each past its reminder and its due time: 100 reminders and
    100 escalations, 200 notifications written and queued), repeated on the same rows made
    due again (after one untimed warm-up sweep; the tables are vacuumed between runs, untimed,
    unless --no-vacuum), and the SQL queries it makes (counted on one more, untimed run;
    --show-queries prints them);
  - one sweep with nothing due (the common minute), repeated;
  - the plans of the two sweep queries (they read the partial indexes, not the 1,000,000 rows);
  - the bare Django view of bench/common.py as the machine's baseline.
The bench's rows (step type "bench.review", users "bench-*") are deleted at the end.
"""

import argparse
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Server, report, setup_django  # noqa: E402

STEP_TYPE = "bench.review"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=100)
    parser.add_argument("--runs", type=int, default=15, help="sweeps with items due")
    parser.add_argument("--idle-runs", type=int, default=50, help="sweeps with nothing due")
    parser.add_argument("--show-queries", action="store_true", help="print the busy sweep's SQL")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="after the timed runs, as many busy sweeps again with each statement, the commit "
        "and the broker's publish timed: where the wall time goes",
    )
    parser.add_argument(
        "--no-vacuum", action="store_true", help="do not vacuum between the busy runs"
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the open steps at the end, and reuse them when the database already holds "
        "exactly --steps of them with --due due (10M take ~10 minutes to insert)",
    )
    args = parser.parse_args()

    setup_django()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from portal import notifications
    from portal.deadlines import register_step_type, sweep_deadlines
    from portal.models import DeadlineStep, Notification

    if connection.vendor != "postgresql":
        raise SystemExit("bench/sweep.py needs PostgreSQL: set DATABASE_URL=postgres://…")
    call_command("migrate", verbosity=0)
    broker = settings.CELERY_BROKER_URL
    if not broker.startswith("redis"):
        # Without Redis the filesystem broker would collect 200 files per run under var/.
        notifications.enqueue_delivery = lambda pk: True
        notifications.enqueue_deliveries = lambda ids: True
        broker = "none (delivery tasks not published)"
    print(f"database {connection.settings_dict['NAME']}, broker {broker}", flush=True)

    register_step_type(STEP_TYPE, label="Bench review", hours=24)
    User = get_user_model()
    clerk, _ = User.objects.get_or_create(username="bench-clerk", defaults={"email": "c@b.local"})
    head, _ = User.objects.get_or_create(username="bench-head", defaults={"email": "h@b.local"})
    head.groups.add(Group.objects.get_or_create(name="mtt_office_head")[0])
    user_ct = ContentType.objects.get_for_model(User)

    now = timezone.now()
    kept = args.keep and kept_steps(connection, now) == (args.steps, args.due)
    if kept:
        print(f"reusing the {args.steps:,} open steps kept by an earlier --keep run", flush=True)
    else:
        cleanup(connection)
    started = time.perf_counter()
    if not kept:
        insert_steps(connection, args, now, user_ct.pk, clerk.pk)
    print(
        f"{'found' if kept else 'inserted'} {args.steps:,} open steps ({args.due} due) in "
        f"{time.perf_counter() - started:.1f} s",
        flush=True,
    )

    due_ids = list(
        DeadlineStep.objects.filter(step_type=STEP_TYPE, due_at__lte=now).values_list(
            "pk", flat=True
        )
    )
    assert len(due_ids) == args.due, len(due_ids)

    def reset_due():
        Notification.objects.filter(dedupe_key__startswith="deadline:").filter(
            user__username__startswith="bench-"
        ).delete()
        DeadlineStep.objects.filter(pk__in=due_ids).update(reminded_at=None, escalated_at=None)
        if not args.no_vacuum:
            # Sweeping the same 100 rows again and again leaves their old versions in the
            # partial indexes (each run's claims, each reset): in production every row is
            # claimed once and autovacuum cleans up. Vacuum between runs (not timed).
            with connection.cursor() as cursor:
                cursor.execute("VACUUM portal_deadlinestep")
                cursor.execute("VACUUM portal_notification")

    # One untimed sweep first: a worker has its broker connection and templates loaded already.
    reset_due()
    sweep_deadlines(now=timezone.now())
    busy, busy_cpu = [], []
    for _ in range(args.runs):
        reset_due()
        c0, t0 = time.process_time(), time.perf_counter()
        result = sweep_deadlines(now=timezone.now())
        busy.append((time.perf_counter() - t0) * 1000)
        busy_cpu.append((time.process_time() - c0) * 1000)
        assert len(result.reminders) == args.due and len(result.escalations) == args.due
        assert result.sent == 2 * args.due, result.sent
    if args.profile:
        profile(connection, args.runs, reset_due, sweep_deadlines, timezone, notifications)
    # The queries of one more busy sweep, counted apart from the timed runs.
    reset_due()
    with CaptureQueriesContext(connection) as busy_queries:
        result = sweep_deadlines(now=timezone.now())
    assert result.sent == 2 * args.due, result.sent
    with CaptureQueriesContext(connection) as idle_queries:
        sweep_deadlines(now=timezone.now())
    idle = []
    for _ in range(args.idle_runs):
        t0 = time.perf_counter()
        result = sweep_deadlines(now=timezone.now())
        idle.append((time.perf_counter() - t0) * 1000)
        assert result.sent == 0

    with connection.cursor() as cursor:
        for when, marker in (("remind_at", "reminded_at"), ("due_at", "escalated_at")):
            sql, params = (
                DeadlineStep.objects.filter(
                    closed_at__isnull=True,
                    **{f"{marker}__isnull": True, f"{when}__lte": timezone.now()},
                )
                .order_by(when, "pk")[:100]
                .query.sql_with_params()
            )
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            plan = [row[0] for row in cursor.fetchall()]
            print(f"\nplan of the {when} query (nothing due):")
            for line in plan:
                print("   ", line)
        # The read every sweep starts with (the whole idle sweep): both partial indexes, one
        # entry each, index-only.
        with CaptureQueriesContext(connection) as check:
            sweep_deadlines(now=timezone.now())
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + check.captured_queries[0]["sql"])
        print("\nplan of the idle sweep's one query (nothing due):")
        for (line,) in cursor.fetchall():
            print("   ", line)

    roundtrip = []
    with connection.cursor() as cursor:
        for _ in range(200):
            t0 = time.perf_counter()
            cursor.execute("SELECT 1")
            cursor.fetchone()
            roundtrip.append((time.perf_counter() - t0) * 1000)

    print("\nbaseline: the bare Django view through gunicorn", flush=True)
    with Server(workers=1) as server:
        base = server.measure("/bench/bare", n=200)
    print()
    report("bare view (baseline)", base)
    report("database round trip (SELECT 1)", roundtrip, base)
    report(f"sweep, {args.due} due of {args.steps:,} open", busy, base)
    report(f"sweep, nothing due of {args.steps:,} open", idle, base)
    per_item = statistics.median(busy) / (2 * args.due)
    print(f"{'':40} {per_item:.2f} ms per notification written (reminder or escalation)")
    # The sweep's own CPU (Python, the driver); the rest of its time is PostgreSQL and waiting
    # for a core on a shared machine.
    print(
        f"{'':40} CPU of the sweeping process p50 {statistics.median(busy_cpu):.1f} ms, "
        f"min {min(busy_cpu):.1f} ms; wall min {min(busy):.1f} ms"
    )
    print(
        f"{'queries':40} busy sweep {len(busy_queries)}, idle sweep {len(idle_queries)}"
        " (counting BEGIN and COMMIT)"
    )
    if args.show_queries:
        for query in busy_queries.captured_queries:
            print("   ", query["sql"][:160])

    if args.keep:
        reset_due()
        Notification.objects.filter(user__username__startswith="bench-").delete()
        print(f"\nkept the {args.steps:,} open steps for the next --keep run")
        return
    started = time.perf_counter()
    cleanup(connection)
    print(f"\ncleaned up in {time.perf_counter() - started:.1f} s")


def insert_steps(connection, args, now, content_type_id, clerk_id):
    """The open steps in one INSERT … SELECT generate_series (10M: ~10 minutes). The open ones
    come due from one day to ~40 days later (a kept database stays valid for a day); the last
    `due` are past both their reminder and their due time."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO portal_deadlinestep
                (step_type, content_type_id, object_id, started_at, hours, calendar,
                 remind_at, due_at, holder_role, holder_user_id, created_at)
            SELECT %(key)s, %(ct)s, (1000000000 + g)::text, %(now)s - interval '1 hour', 24, 'wall',
                   CASE WHEN g > %(open)s THEN %(now)s - interval '2 hours'
                        ELSE %(now)s + (g %% 960 + 24) * interval '1 hour' END,
                   CASE WHEN g > %(open)s THEN %(now)s - interval '1 minute'
                        ELSE %(now)s + (g %% 960 + 30) * interval '1 hour' END,
                   'mtt_office', %(clerk)s, %(now)s
            FROM generate_series(1, %(total)s) AS g
            """,
            {
                "key": STEP_TYPE,
                "ct": content_type_id,
                "now": now,
                "open": args.steps - args.due,
                "total": args.steps,
                "clerk": clerk_id,
            },
        )
        cursor.execute("ANALYZE portal_deadlinestep")


def profile(connection, runs, reset_due, sweep_deadlines, timezone, notifications):
    """Busy sweeps with every statement, the COMMIT and the delivery task's publish timed."""
    spent = defaultdict(list)  # label → ms per sweep
    current = defaultdict(float)

    def timed(execute, sql, params, many, context):
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            words = sql.split()
            label = " ".join(words[:1] + [w for w in words if w.startswith('"portal_')][:1])
            if sql.lstrip().startswith("WITH"):
                label = "UPDATE … RETURNING (lock, claim, read)"
            current[label] += (time.perf_counter() - t0) * 1000

    commit, enqueue = connection._commit, notifications.enqueue_deliveries

    def timed_commit():
        t0 = time.perf_counter()
        try:
            return commit()
        finally:
            current["COMMIT"] += (time.perf_counter() - t0) * 1000

    def timed_enqueue(ids):
        t0 = time.perf_counter()
        try:
            return enqueue(ids)
        finally:
            current["publish the delivery task (Redis)"] += (time.perf_counter() - t0) * 1000

    connection._commit = timed_commit
    notifications.enqueue_deliveries = timed_enqueue
    walls = []
    try:
        for _ in range(runs):
            reset_due()
            current.clear()
            with connection.execute_wrapper(timed):
                t0 = time.perf_counter()
                sweep_deadlines(now=timezone.now())
                walls.append((time.perf_counter() - t0) * 1000)
            for label, ms in current.items():
                spent[label].append(ms)
            spent["(all of the above)"].append(sum(current.values()))
    finally:
        del connection._commit
        notifications.enqueue_deliveries = enqueue
    print(f"\nwhere a busy sweep's time goes (median of {runs} sweeps, ms):")
    for label, samples in sorted(spent.items(), key=lambda item: -statistics.median(item[1])):
        print(f"    {statistics.median(samples):8.2f}  {label}")
    rest = statistics.median(walls) - statistics.median(spent["(all of the above)"])
    print(f"    {rest:8.2f}  the rest: Python (claims to rows, rendering 200 messages)")
    print(f"    {statistics.median(walls):8.2f}  wall, whole sweep", flush=True)


def kept_steps(connection, now) -> tuple[int, int]:
    """(open steps, of which due) of the bench's step type, from an earlier --keep run."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE due_at <= %s) FROM portal_deadlinestep "
            "WHERE step_type = %s AND closed_at IS NULL",
            [now, STEP_TYPE],
        )
        return tuple(cursor.fetchone())


def cleanup(connection):
    from portal.models import DeadlineStep, Notification

    Notification.objects.filter(user__username__startswith="bench-").delete()
    DeadlineStep.objects.filter(step_type=STEP_TYPE).delete()
    if connection.get_autocommit():
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE portal_deadlinestep")


if __name__ == "__main__":
    main()
