"""The permission matrix: every URL pattern × every identity, against permission_matrix.yaml.

The URL patterns come from the resolver, so a new view without a row in the table fails here.
Identities are the demo log-ins (one per role of portal.roles, a superuser) plus anonymous;
scoped roles (a unit's leader, a department's responder) are tried on objects that belong to
another unit. A row's `allow` lists roles, or `everyone`, or `signed_in` (every log-in);
`post_only: true` rows are sent an empty POST (the action's gate runs before its form).
Allowed: the page answers (200, a redirect that is not to a log-in, or 400 for an empty
POST the form refused). Denied: 403, 404, 410 (a
link that is gone) or a redirect to a log-in.
"""

import os
from pathlib import Path

import pytest
import yaml
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from portal.demo import DEMO_USERS

pytestmark = pytest.mark.django_db

TABLE = Path(__file__).with_name("permission_matrix.yaml")
ANONYMOUS = "anonymous"
SUPERUSER = "admin"


def url_patterns(resolver=None, namespace="", prefix=""):
    """(url name, full route, view) of every pattern the resolver serves; an unnamed pattern is
    named by its namespace and route."""
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = namespace
            if p.namespace:
                ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
            yield from url_patterns(p, ns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            route = prefix + str(p.pattern)
            name = p.name or route
            yield (f"{namespace}:{name}" if namespace else name), route, p.callback


def identities():
    """role (or "admin") → demo username. Every role of portal.roles has a demo log-in."""
    found = {}
    for username, _full_name, roles in DEMO_USERS:
        for role in roles or [SUPERUSER]:
            found.setdefault(str(role), username)
    return found


def _objects():
    """The objects the table's kwargs name, each chosen to belong to someone else / another
    unit than the scoped demo log-ins."""
    from accounts.models import AccountRequest, Batch, IssuanceLogEntry
    from dialogue.models import (
        DialogueSession,
        DutyItem,
        FeedbackForm,
        Level,
        Milestone,
        Participant,
        Plan,
        ProgrammeItem,
        Question,
    )
    from dialogue.scope import unit_ids_of
    from dialogue.services import copy_plan
    from office.models import Assignment, Person, Unit
    from portal.models import Notification

    User = get_user_model()
    committee = User.objects.get(username="committee")
    unit_leader = User.objects.get(username="unit_leader")
    responder = User.objects.get(username="responder")
    own_units = unit_ids_of(unit_leader) | unit_ids_of(responder)
    admin = User.objects.get(username="admin")
    request = AccountRequest.objects.order_by("pk").first()
    other_session = (
        DialogueSession.objects.exclude(level=Level.UNIVERSITY)
        .exclude(unit_id__in=own_units)
        .order_by("pk")
        .first()
    )
    other_question = (
        Question.objects.exclude(unit_id__in=own_units)
        .filter(anonymous=False)
        .order_by("pk")
        .first()
    )
    draft = Plan.objects.filter(status=Plan.Status.DRAFT).order_by("pk").first() or copy_plan(
        Plan.objects.order_by("pk").first(),
        actor=committee,
        academic_year="2099-2100",
        offset_days=1,
    )
    batch = Batch.objects.order_by("pk").first()
    if batch is None:
        draft = Plan.objects.filter(status=Plan.Status.DRAFT).order_by("pk").first() or copy_plan(
            Plan.objects.order_by("pk").first(),
            actor=committee,
            academic_year="2099-2100",
            offset_days=1,
        )
    batch = Batch.objects.create(created_by=admin, file_name="other.csv", row_count=0)
    return {
        "request": request.pk,
        "tracking_token": request.tracking_token,
        # A view-once link is spent by opening it: the matrix opens one that does not exist.
        "secret_token": "not-a-view-once-link",
        "batch": batch.pk,
        "log_entry": IssuanceLogEntry.objects.order_by("pk").first().pk,
        "notification": Notification.objects.exclude(user__username="admin")
        .order_by("pk")
        .first()
        .pk,
        "unit": Unit.objects.exclude(pk__in=own_units).order_by("pk").first().code,
        "person": Person.objects.order_by("pk").first().pk,
        "assignment": Assignment.objects.order_by("pk").first().pk,
        "plan": Plan.objects.order_by("pk").first().pk,
        "milestone": Milestone.objects.order_by("pk").first().pk,
        # Milestones are edited only while their plan is a draft.
        "draft_milestone": Milestone.objects.filter(plan=draft).order_by("pk").first().pk,
        "duty": DutyItem.objects.order_by("pk").first().pk,
        "question": other_question.pk,
        "session": other_session.pk,
        "programme_item": ProgrammeItem.objects.order_by("pk").first().pk,
        "participant": Participant.objects.order_by("pk").first().pk,
        "feedback_form": FeedbackForm.objects.order_by("pk").first().pk,
        "user": admin.pk,
    }


def _admin_kwargs(route: str, objects: dict) -> dict:
    kwargs = {}
    if "app_label" in route:
        kwargs["app_label"] = "auth"
    if "object_id" in route:
        kwargs["object_id"] = str(objects["user"])  # the superuser's own row (user screens)
    if "content_type_id" in route:
        from django.contrib.auth import get_user_model
        from django.contrib.contenttypes.models import ContentType

        # Ids, not 1: a test that flushed the database earlier leaves the sequences running on.
        kwargs["content_type_id"] = str(ContentType.objects.get_for_model(get_user_model()).pk)
    if "<id>" in route or "(?P<id>" in route:
        kwargs["id"] = str(objects["user"])  # the password screen of the superuser's own row
    if "(?P<url>" in route:
        kwargs["url"] = "nothing"
    return kwargs


def _row_for(table, name):
    if name in table:
        return table[name]
    for key, row in table.items():
        if key.endswith("*") and name.startswith(key[:-1]):
            return row
    return None


def _build_url(name, route, row, objects):
    if name == "^media/(?P<path>.*)$":  # served only with DEBUG on
        return "/media/accounts/minutes.pdf"
    if name.startswith("admin:"):
        if "<path:object_id>" in name:  # the admin's unnamed "object id → change page" redirect
            return "/" + route.replace("^", "").replace("<path:object_id>", "1")
        if "(?P<url>" in name:  # the admin's catch-all
            return "/admin/nothing/"
        return reverse(name, kwargs=_admin_kwargs(route, objects))
    kwargs = {k: objects.get(v, v) for k, v in (row.get("kwargs") or {}).items()}
    return reverse(name, kwargs=kwargs)


def _is_login_redirect(response) -> bool:
    if response.status_code != 302:
        return False
    location = response["Location"]
    return location.startswith("/login/") or location.startswith("/admin/login/")


def _verdict(response) -> str:
    code = response.status_code
    if code in (403, 404, 410) or _is_login_redirect(response):  # 410: a link that is gone
        return "denied"
    if code in (200, 302, 400):  # 400: past the gate, the empty form was refused
        return "allowed"
    return f"unexpected {code}"


def test_every_url_pattern_has_a_row_and_each_role_gets_what_the_table_says(capsys):
    call_command("loaddemo", force=True, stdout=open(os.devnull, "w"))  # noqa: SIM115
    table = yaml.safe_load(TABLE.read_text())
    who = identities()
    roles = [ANONYMOUS, *who]
    objects = _objects()
    patterns = list(url_patterns())

    missing = [name for name, _route, _view in patterns if _row_for(table, name) is None]
    assert not missing, f"URL patterns without a row in {TABLE.name}: {missing}"
    names = {name for name, _route, _view in patterns}
    stale = [key for key in table if not key.endswith("*") and key not in names]
    assert not stale, f"rows in {TABLE.name} for URL names that no longer exist: {stale}"
    unknown = {
        role
        for row in table.values()
        for role in row.get("allow", [])
        if role not in roles and role not in ("everyone", "signed_in")
    }
    assert not unknown, f"roles in {TABLE.name} that no demo log-in holds: {unknown}"

    User = get_user_model()
    clients = {ANONYMOUS: Client()}
    for role, username in who.items():
        clients[role] = Client()
        clients[role].force_login(User.objects.get(username=username))

    failures, observed = [], {}
    for name, route, view in patterns:
        row = _row_for(table, name)
        url = _build_url(name, route, row, objects)
        allow = set(row.get("allow", []))
        # The gate (portal.access.role_required) names the roles it lets in: the table agrees,
        # except where the URL names an object of another unit (then the unit scope refuses).
        for role in () if row.get("kwargs") else getattr(view, "roles", ()):
            if role not in allow and "everyone" not in allow and "signed_in" not in allow:
                failures.append(f"{name}: the view's gate lets in {role}, the table does not")
        if "everyone" in allow:
            allow.update(roles)
        if "signed_in" in allow:
            allow.update(r for r in roles if r != ANONYMOUS)
        for role in roles:
            if name in ("logout", "admin:logout") and role != ANONYMOUS:
                # Logging out would end the session the loop relies on: a fresh one does it.
                client = Client()
                client.force_login(User.objects.get(username=who[role]))
            else:
                client = clients[role]
            send = client.post if row.get("post_only") else client.get
            response = send(url)
            got = _verdict(response)
            observed.setdefault(name, {})[role] = (response.status_code, got)
            expected = "allowed" if role in allow else "denied"
            if got != expected:
                failures.append(f"{name} {url} as {role}: {response.status_code}, want {expected}")

    size = len(patterns) * len(roles)
    with capsys.disabled():
        print(
            f"\npermission matrix: {len(patterns)} URL patterns × {len(roles)} identities"
            f" = {size} cells"
        )
    if os.environ.get("MATRIX_DUMP"):
        Path(os.environ["MATRIX_DUMP"]).write_text(yaml.safe_dump(observed, allow_unicode=True))
    assert not failures, "\n".join(failures)


def test_logging_out_is_open_to_everyone_and_ends_the_session(client, make_user):
    client.force_login(make_user("mtt_office"))
    assert client.post(reverse("logout")).status_code == 302
    assert _is_login_redirect(client.get(reverse("accounts:queue")))
