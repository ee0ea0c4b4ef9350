"""The benchmarks' data set, generated in PostgreSQL and kept between runs.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_perf .venv/bin/python bench/data.py \\
        --requests 1000000

Each table is filled with one INSERT … SELECT generate_series (no Python loop per row), and only
up to the size asked for: a second run with the same sizes does nothing, a larger size adds the
missing rows. The demo data (users, units, the plan 4402/KH-ĐHM, topics) comes first, from
`loaddemo --force`. What it makes:

- account requests (MTT.QT06): `--requests` rows over the last 24 months; about 2 %% are waiting
  for review (draft / received / being checked), the rest went further, most of them closed;
- published answers (plan 4402/KH-ĐHM): `--answers` questions, published, across every topic;
- the responder's department: `--routed` questions waiting for its answer, and as many answered;
- people in the directory: `--people` rows, each holding a position in a unit;
- the closed deadline steps (review, issue) of the last 45 days' requests, for BM03;
- 100,000 rows of the issuance log (CreateEmailHUST-log), for the streamed exports.

Regenerate from nothing: `dropdb -h 127.0.0.1 -U postgres portal_perf` and run this again
(about 2 minutes for 1,000,000 requests on 2 cores).
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.accounts import FAMILY as _FAMILY  # noqa: E402
from bench.accounts import GIVEN as _GIVEN  # noqa: E402
from bench.accounts import ensure_database  # noqa: E402

# The accounts bench's names, and "Nguyễn Thị" besides: 13 × 11 (the SQL below picks by i % 13
# and i / 13 % 11); about 15 % of the rows match the queue's search "nguyen thi".
FAMILY = [*_FAMILY, "Nguyễn Thị"]
GIVEN = _GIVEN[:11]
# The done statuses share 98 %% of the rows; 2 %% wait for review.
DONE = ["notified"] * 40 + ["rejected", "merged", "verified", "issued", "recorded"]
REVIEW = ["submitted", "submitted", "in_review", "draft"]
QUESTION_WORDS = [
    "học phí",
    "ký túc xá",
    "học bổng",
    "tuyển sinh",
    "thời khóa biểu",
    "thư viện",
    "bảo hiểm y tế",
    "đăng ký học phần",
    "thực tập",
    "điểm rèn luyện",
    "phòng máy",
    "wifi",
]
TITLES = ["Trưởng phòng", "Phó trưởng phòng", "Chuyên viên", "Giảng viên", "Cán bộ tuyển sinh"]


def sql_array(values) -> str:
    return "ARRAY[" + ",".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def _timed(label, fn):
    started = time.perf_counter()
    added = fn()
    if added:
        took = time.perf_counter() - started
        print(f"data: {label}: +{added:,} rows in {took:.1f} s", flush=True)


def requests(cursor, n: int) -> int:
    from portal.text import fold

    cursor.execute("SELECT count(*) FROM accounts_accountrequest")
    have = cursor.fetchone()[0]
    if have >= n:
        return 0
    cursor.execute(
        "SELECT id, code, name FROM office_unit WHERE code IN "
        "('hust-seee','hust-sme','hust-fami','hust-sem') ORDER BY code"
    )
    units = cursor.fetchall()
    fam, giv = sql_array(FAMILY), sql_array(GIVEN)
    ffam, fgiv = sql_array([fold(f) for f in FAMILY]), sql_array([fold(g) for g in GIVEN])
    uid = "ARRAY[" + ",".join(str(u[0]) for u in units) + "]"
    ucode, uname = sql_array([u[1] for u in units]), sql_array([u[2] for u in units])
    ufold = sql_array([fold(u[2]) for u in units])
    done, review = sql_array(DONE), sql_array(REVIEW)
    # Row i: a family name, a given name and a unit picked by i; 1 row in 50 waits for review.
    cursor.execute(
        f"""
        INSERT INTO accounts_accountrequest (
            reference, tracking_digest, tracking_sealed, person_kind, request_kind,
            family_and_middle_names, given_name, date_of_birth, person_id, unit_id, unit_name,
            unit_code, student_class, cohort, mobile_phone, contact_email, existing_address,
            note, language, status, due_at, submitted_at, updated_at, reject_reason,
            issued_address, proposed_address, search_key, contact_change_digest,
            pending_contact_email, citizen_id)
        SELECT ref, 'bench-' || i, '', kind, CASE WHEN i %% 7 = 0 THEN 'password_reset'
                 ELSE 'new_account' END,
               ({fam})[1 + i %% 13], ({giv})[1 + (i / 13) %% 11], DATE '2005-01-01',
               pid, ({uid})[1 + i %% 4], ({uname})[1 + i %% 4], ({ucode})[1 + i %% 4],
               'K68-' || (i %% 40), 'K68', phone, 'sv' || i || '@example.com', '', '', 'vi',
               status, due, sub, sub, '', '', '',
               lower(ref) || ' ' || ({ffam})[1 + i %% 13] || ' ' || ({fgiv})[1 + (i / 13) %% 11]
                 || ' ' || pid || ' ' || phone || ' ' || replace(phone, '+84', '0') || ' sv' || i
                 || '@example.com ' || ({ufold})[1 + i %% 4] || ' k68-' || (i %% 40),
               '', '', ''
        FROM (
            SELECT i, 'BR' || lpad(i::text, 9, '0') AS ref,
                   CASE WHEN i %% 5 = 0 THEN 'staff' ELSE 'student' END AS kind,
                   (30000000 + i)::text AS pid,
                   '+8491' || lpad((i * 7919 %% 10000000)::text, 7, '0') AS phone,
                   CASE WHEN i %% 50 = 0 THEN ({review})[1 + (i / 50) %% 4]
                        ELSE ({done})[1 + i %% 45] END AS status,
                   now() - (i %% 730) * interval '1 day' - (i %% 1440) * interval '1 minute' AS sub,
                   CASE WHEN i %% 50 = 0
                        THEN now() + ((i * 37) %% 4320 - 2880) * interval '1 minute'
                        ELSE now() - (i %% 730) * interval '1 day' + interval '1 day' END AS due
            FROM generate_series(%s::bigint, %s::bigint) AS i
        ) AS g
        """,
        [have + 1, n],
    )
    cursor.execute("ANALYZE accounts_accountrequest")
    return n - have


def answers(cursor, n_published: int, n_routed: int, department_id: int) -> int:
    cursor.execute("SELECT count(*) FROM dialogue_question WHERE text LIKE 'bench %%'")
    have = cursor.fetchone()[0]
    want = n_published + 2 * n_routed
    if have >= want:
        return 0
    from portal.text import fold

    cursor.execute("SELECT id FROM dialogue_plan ORDER BY id LIMIT 1")
    plan = cursor.fetchone()[0]
    cursor.execute("SELECT id FROM dialogue_topic ORDER BY id")
    topics = [r[0] for r in cursor.fetchall()]
    cursor.execute(
        "SELECT id FROM office_unit WHERE kind IN ('faculty','school') AND code LIKE 'hou%%'"
    )
    learner_units = [r[0] for r in cursor.fetchall()] or [department_id]
    cursor.execute(
        "SELECT id FROM office_unit WHERE kind = 'department' AND code LIKE 'hou%%' ORDER BY id"
    )
    departments = [r[0] for r in cursor.fetchall()]
    words, fwords = sql_array(QUESTION_WORDS), sql_array([fold(w) for w in QUESTION_WORDS])
    t = "ARRAY[" + ",".join(map(str, topics)) + "]"
    lu = "ARRAY[" + ",".join(map(str, learner_units)) + "]"
    dep = "ARRAY[" + ",".join(map(str, departments)) + "]"
    # i <= n_published: published; then n_routed waiting for the responder's department, then
    # n_routed answered by it (not yet published).
    cursor.execute(
        f"""
        INSERT INTO dialogue_question (
            kind, text, source, student_class, asker_name, anonymous, status, created_at,
            routed_at, due_at, answer_text, answered_at, letter_number, letter_file,
            published_at, source_count, search_key, plan_id, unit_id, topic_id, department_id,
            answered_by_unit_id)
        SELECT 'question', 'bench ' || i || ': hỏi về ' || ({words})[1 + i %% 12] || ' của '
                 || ({words})[1 + (i / 12) %% 12] || '?',
               'online', '', '', i %% 3 = 0, status, created, created, created + interval '5 days',
               CASE WHEN status = 'routed' THEN '' ELSE 'Trả lời: ' || ({words})[1 + i %% 12]
                 || ' theo quy định.' END,
               CASE WHEN status = 'routed' THEN NULL ELSE created + interval '2 days' END,
               '', '', CASE WHEN status = 'published' THEN created + interval '3 days' END, 1,
               'bench ' || i || ' hoi ve ' || ({fwords})[1 + i %% 12] || ' cua '
                 || ({fwords})[1 + (i / 12) %% 12] || ' tra loi ' || ({fwords})[1 + i %% 12],
               {plan}, ({lu})[1 + i %% {len(learner_units)}], ({t})[1 + i %% {len(topics)}], dept,
               CASE WHEN status = 'routed' THEN NULL ELSE dept END
        FROM (
            SELECT i,
                   CASE WHEN i <= {n_published} THEN 'published'
                        WHEN i <= {n_published + n_routed} THEN 'routed'
                        ELSE 'answered' END AS status,
                   CASE WHEN i <= {n_published} THEN ({dep})[1 + i %% {len(departments)}]
                        ELSE {department_id} END AS dept,
                   now() - (i %% 400) * interval '1 day' - (i %% 1440) * interval '1 minute'
                     AS created
            FROM generate_series(%s::bigint, %s::bigint) AS i
        ) AS g
        """,
        [have + 1, want],
    )
    cursor.execute("ANALYZE dialogue_question")
    return want - have


def people(cursor, n: int) -> int:
    cursor.execute("SELECT count(*) FROM office_person WHERE email LIKE 'bench%%'")
    have = cursor.fetchone()[0]
    if have >= n:
        return 0
    # Each holds a staff position (not leadership) in one of the units.
    cursor.execute("SELECT id FROM office_position WHERE NOT is_leadership ORDER BY id LIMIT 1")
    position = cursor.fetchone()[0]
    from portal.text import fold

    cursor.execute("SELECT id FROM office_unit ORDER BY id")
    units = [r[0] for r in cursor.fetchall()]
    u = "ARRAY[" + ",".join(map(str, units)) + "]"
    fam, giv = sql_array(FAMILY), sql_array(GIVEN)
    ffam, fgiv = sql_array([fold(f) for f in FAMILY]), sql_array([fold(g) for g in GIVEN])
    titles, ftitles = sql_array(TITLES), sql_array([fold(t) for t in TITLES])
    cursor.execute(
        f"""
        INSERT INTO office_person (title, full_name, email, phone, note, search_key, created_at,
                                   updated_at, staff_code)
        SELECT ({titles})[1 + i %% 5], ({fam})[1 + i %% 13] || ' ' || ({giv})[1 + (i / 13) %% 11],
               'bench' || i || '@example.edu.vn', '', '',
               ({ftitles})[1 + i %% 5] || ' ' || ({ffam})[1 + i %% 13] || ' '
                 || ({fgiv})[1 + (i / 13) %% 11] || ' bench' || i || '@example.edu.vn',
               now(), now(), 'B' || i
        FROM generate_series(%s::bigint, %s::bigint) AS i
        """,
        [have + 1, n],
    )
    cursor.execute(
        f"""
        INSERT INTO office_assignment (unit_id, "order", created_at, person_id, position_id,
                                       relation, duty, duty_en, search_key, note)
        SELECT ({u})[1 + p.id % {len(units)}], 0, now(), p.id, {position}, 'position', '', '',
               '', ''
        FROM office_person p
        WHERE p.email LIKE 'bench%%' AND NOT EXISTS (
            SELECT 1 FROM office_assignment a WHERE a.person_id = p.id)
        """
    )
    cursor.execute("ANALYZE office_person")
    cursor.execute("ANALYZE office_assignment")
    return n - have


def steps_and_log(cursor, n_log: int) -> int:
    """The closed deadline steps of the last 45 days' requests (BM03 reads them per month) and
    `n_log` rows of the issuance log (the exports stream them)."""
    added = 0
    cursor.execute(
        "SELECT id FROM django_content_type WHERE app_label = 'accounts' "
        "AND model = 'accountrequest'"
    )
    ct = cursor.fetchone()[0]
    cursor.execute(
        "SELECT count(*) FROM portal_deadlinestep WHERE content_type_id = %s "
        "AND closed_at IS NOT NULL",
        [ct],
    )
    if cursor.fetchone()[0] < 100:
        cursor.execute(
            """
            INSERT INTO portal_deadlinestep (step_type, object_id, started_at, hours, calendar,
                due_at, holder_role, closed_at, created_at, content_type_id)
            SELECT t.step_type, r.id::text, r.submitted_at, 24, 'wall',
                   r.submitted_at + interval '24 hours', 'mtt_office',
                   r.submitted_at + (r.id %% 40) * interval '1 hour', r.submitted_at, %s
            FROM accounts_accountrequest r
            CROSS JOIN (VALUES ('accounts.review'), ('accounts.issue')) AS t(step_type)
            WHERE r.submitted_at >= now() - interval '45 days'
              AND r.status NOT IN ('draft', 'submitted', 'in_review')
            """,
            [ct],
        )
        added += cursor.rowcount
    cursor.execute("SELECT count(*) FROM accounts_issuancelogentry")
    have = cursor.fetchone()[0]
    if have < n_log:
        cursor.execute(
            """
            INSERT INTO accounts_issuancelogentry (recorded_at, reference, full_name,
                person_kind, person_id, unit_name, address, action, issued_at, issued_by_name,
                recorded_by_name, note, request_id, backend, directory_id)
            SELECT r.submitted_at + interval '1 day', r.reference,
                   r.family_and_middle_names || ' ' || r.given_name, r.person_kind, r.person_id,
                   r.unit_name, 'sv' || r.id || '@sis.example.edu.vn', 'new_account',
                   r.submitted_at + interval '20 hours', 'Cán bộ kỹ thuật MTT',
                   'Cán bộ quản lý TKĐT', '', r.id, '', ''
            FROM accounts_accountrequest r CROSS JOIN generate_series(1, 2) AS k
            WHERE r.status = 'notified'
            ORDER BY r.id, k LIMIT %s
            """,
            [n_log - have],
        )
        added += cursor.rowcount
    cursor.execute("ANALYZE portal_deadlinestep")
    return added


def responder_department() -> int:
    from django.contrib.auth import get_user_model

    from dialogue.scope import unit_ids_of

    user = get_user_model().objects.get(username="responder")
    return sorted(unit_ids_of(user))[0]


def build(n_requests=100_000, n_answers=100_000, n_routed=5_000, n_people=10_000, n_log=100_000):
    ensure_database()
    from bench.common import setup_django

    setup_django()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM portal_user WHERE username = 'responder'")
        if not cursor.fetchone():
            call_command("loaddemo", force=True, verbosity=0)
        _timed("account requests", lambda: requests(cursor, n_requests))
        dept = responder_department()
        _timed("questions", lambda: answers(cursor, n_answers, n_routed, dept))
        _timed("people", lambda: people(cursor, n_people))
        _timed("deadline steps and log", lambda: steps_and_log(cursor, n_log))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--answers", type=int, default=100_000)
    parser.add_argument("--routed", type=int, default=5_000)
    parser.add_argument("--people", type=int, default=10_000)
    args = parser.parse_args()
    build(args.requests, args.answers, args.routed, args.people)


if __name__ == "__main__":
    main()
