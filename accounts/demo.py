"""Demo data for MTT.QT06: both registries and requests in every state, some overdue.

Idempotent: each demo request carries a fixed idempotency key, so a second `loaddemo` finds it
and adds nothing.
"""

import datetime as dt
import uuid

from django.contrib.auth import get_user_model
from django.utils import timezone

from . import services
from .duplicates import merge_request
from .models import AccountRequest, RegistryRecord
from .registry import _search_key

NS = uuid.UUID("6f1c7f4e-5b0a-4c57-9d0e-0a4f1b2c3d4e")

UNITS = {
    "hust-seee": "Trường Điện – Điện tử",
    "hust-sme": "Trường Cơ khí",
    "hust-fami": "Khoa Toán – Tin",
    "hust-sem": "Trường Kinh tế",
    "soict": "Trường Công nghệ Thông tin và Truyền thông",
}

# (kind, family and middle, given, dob, id, unit, class, cohort, phone)
PEOPLE = [
    (
        "student",
        "Nguyễn Văn",
        "An",
        "15/03/2005",
        "20231234",
        "hust-seee",
        "ĐTVT-01",
        "K68",
        "0912345678",
    ),
    (
        "student",
        "Trần Thị",
        "Bích",
        "02/11/2004",
        "20221587",
        "soict",
        "KHMT-02",
        "K67",
        "0987111222",
    ),
    (
        "student",
        "Lê Hoàng",
        "Cường",
        "21/07/2005",
        "20230456",
        "hust-sme",
        "CK-03",
        "K68",
        "0356789012",
    ),
    (
        "student",
        "Phạm Minh",
        "Đức",
        "09/01/2003",
        "20210999",
        "soict",
        "KTPM-01",
        "K66",
        "0868123456",
    ),
    (
        "student",
        "Hoàng Thị",
        "Ê",
        "30/04/2005",
        "20231777",
        "hust-fami",
        "TT-01",
        "K68",
        "0779888777",
    ),
    (
        "student",
        "Vũ Đình",
        "Giang",
        "12/12/2004",
        "20220321",
        "hust-sem",
        "QTKD-02",
        "K67",
        "0912000111",
    ),
    ("student", "Đặng Thu", "Hà", "05/05/2005", "20231010", "soict", "IT-E6", "K68", "0903222333"),
    (
        "student",
        "Bùi Quang",
        "Huy",
        "18/08/2004",
        "20220808",
        "hust-seee",
        "ĐKTĐ-01",
        "K67",
        "0975333444",
    ),
    (
        "student",
        "Ngô Thị",
        "Khánh",
        "23/09/2005",
        "20232323",
        "hust-sem",
        "KT-01",
        "K68",
        "0388444555",
    ),
    (
        "student",
        "Đỗ Văn",
        "Long",
        "01/02/2003",
        "20210102",
        "hust-sme",
        "CĐT-02",
        "K66",
        "0919555666",
    ),
    (
        "student",
        "Nguyễn Thị Thanh",
        "Mai",
        "14/06/2005",
        "20231406",
        "soict",
        "KHDL-01",
        "K68",
        "0934666777",
    ),
    (
        "student",
        "Trịnh Công",
        "Nam",
        "27/10/2004",
        "20222710",
        "hust-fami",
        "TH-02",
        "K67",
        "0397777888",
    ),
    ("staff", "Lê Văn", "Phúc", "10/10/1980", "CB0101", "soict", "", "", "0913101010"),
    ("staff", "Phạm Thị", "Quỳnh", "03/03/1988", "CB0202", "hust-seee", "", "", "0988202020"),
    ("staff", "Trần Đức", "Sơn", "17/07/1975", "CB0303", "hust-sme", "", "", "0904303030"),
    ("staff", "Nguyễn Thị", "Tâm", "25/12/1990", "CB0404", "hust-sem", "", "", "0961404040"),
    ("staff", "Hoàng Văn", "Uy", "08/08/1985", "CB0505", "hust-fami", "", "", "0915505050"),
    ("staff", "Đinh Thị", "Vân", "11/11/1992", "CB0606", "soict", "", "", "0943606060"),
]

# (person index, request kind, target state, received hours ago, registry: ok|mismatch|missing)
REQUESTS = [
    (0, "new_account", "submitted", 2, "ok"),
    (1, "new_account", "submitted", 30, "ok"),  # overdue at step 3
    (2, "new_account", "submitted", 5, "mismatch"),
    (3, "password_reset", "submitted", 20, "ok"),
    (4, "new_account", "submitted", 1, "missing"),
    (12, "new_account", "submitted", 3, "ok"),
    (5, "new_account", "in_review", 10, "ok"),
    (13, "password_reset", "in_review", 26, "ok"),  # overdue, claimed
    (6, "new_account", "rejected", 40, "mismatch"),
    (7, "new_account", "verified", 8, "ok"),
    (14, "new_account", "verified", 50, "ok"),  # overdue at step 4
    (8, "new_account", "verified", 4, "ok"),
    (9, "password_reset", "issued", 30, "ok"),
    (15, "new_account", "issued", 60, "ok"),  # overdue at step 5
    (10, "new_account", "recorded", 36, "ok"),
    (16, "password_reset", "recorded", 80, "ok"),  # overdue notification
    (11, "new_account", "notified", 72, "ok"),
    (17, "new_account", "notified", 120, "ok"),
    # A person who applied again (issue 12 §1): one waits with the "possible duplicate" banner,
    # one was merged into the account the person already had. Entered as a request from before
    # the submission check would have been: today's form tells the applicant instead.
    (0, "new_account", "duplicate", 1, "ok"),
    (11, "new_account", "merged", 6, "ok"),
]


def _date(text):
    return dt.datetime.strptime(text, "%d/%m/%Y").date()


def _unit_names():
    names = dict(UNITS)
    try:
        from office.models import Unit

        names.update(dict(Unit.objects.filter(code__in=list(UNITS)).values_list("code", "name")))
    except Exception:  # office not loaded: the fallback names above
        pass
    return names


def _existing_address(person):
    from .naming import address_rule

    kind, family, given = person[0], person[1], person[2]
    return address_rule(family, given, kind)


def load(stdout=None):
    User = get_user_model()
    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=["mtt_office", "mtt_technician", "mtt_manager", "mtt_head", "applicant"]
        )
    }
    office, tech, manager = (
        users.get("mtt_office"),
        users.get("mtt_technician"),
        users.get("mtt_manager"),
    )
    if not (office and tech and manager):
        if stdout:
            stdout.write("  accounts: demo users missing, run portal's demo first")
        return
    names = _unit_names()
    # The registries: a read-only copy of the staff and student management software.
    for i, p in enumerate(PEOPLE):
        kind, family, given, dob, pid, unit, klass, cohort, phone = p
        status = next((r[4] for r in REQUESTS if r[0] == i), "ok")
        if status == "missing":
            continue
        if status == "mismatch":
            dob = "01/01/2000"
        email = (
            _existing_address(p)
            if any(r[0] == i and r[1] == "password_reset" for r in REQUESTS)
            else ""
        )
        RegistryRecord.objects.update_or_create(
            kind=kind,
            person_id=pid,
            defaults={
                "family_and_middle_names": family,
                "given_name": given,
                "date_of_birth": _date(dob),
                "unit_name": names[unit],
                "student_class": klass,
                "cohort": cohort,
                "mobile_phone": "+84" + phone[1:],
                "email": email,
                "search_key": _search_key(
                    {
                        "person_id": pid,
                        "email": email,
                        "family_and_middle_names": family,
                        "given_name": given,
                    }
                ),
            },
        )
    now = timezone.now()
    created = 0
    for n, (index, request_kind, target, hours_ago, _reg) in enumerate(REQUESTS):
        key = uuid.uuid5(NS, f"demo-request-{n}")
        kind, family, given, dob, pid, unit, klass, cohort, phone = PEOPLE[index]
        at = now - dt.timedelta(hours=hours_ago)
        data = {
            "person_kind": kind,
            "request_kind": request_kind,
            "family_and_middle_names": family,
            "given_name": given,
            "date_of_birth": _date(dob),
            "person_id": pid,
            "unit_name": names[unit],
            "unit_code": unit,
            "student_class": klass,
            "cohort": cohort,
            "mobile_phone": "+84" + phone[1:],
            "contact_email": f"{pid.lower()}@example.com",
            "existing_address": _existing_address(PEOPLE[index])
            if request_kind == "password_reset"
            else "",
            "note": "",
        }
        if AccountRequest.objects.filter(
            idempotency_key=services.bound_idempotency_key(key, data)
        ).exists():
            continue
        req, _c = services.submit_request(
            data,
            idempotency_key=key,
            now=at,
            check_duplicates=target not in ("duplicate", "merged"),
        )
        created += 1
        step = dt.timedelta(hours=max(1, hours_ago // 5))
        t = at
        if target in ("submitted", "duplicate"):
            continue
        if target == "merged":
            first = AccountRequest.objects.filter(person_id=pid).exclude(pk=req.pk).first()
            merge_request(req.pk, first.pk, office, now=at + dt.timedelta(minutes=30))
            continue
        t += step
        if target == "in_review":
            services.claim_request(req.pk, office, now=t)
            continue
        if target == "rejected":
            services.reject_request(
                req.pk,
                office,
                "Ngày sinh không khớp với Phần mềm quản lý sinh viên; xin kiểm tra và sửa lại.",
                now=t,
            )
            continue
        services.verify_request(req.pk, office, now=t)
        if target == "verified":
            continue
        t += step
        services.issue_account(req.pk, tech, address=services.suggested_address(req), now=t)
        if target == "issued":
            continue
        t += step
        services.record_issuance(req.pk, manager, now=t)
        if target == "recorded":
            continue
        t += step
        services.notify_result(req.pk, office, now=t)
    if stdout:
        stdout.write(
            f"  accounts: {RegistryRecord.objects.count()} registry records, {created} new requests"
        )
