"""The roles of DESIGN.md, as Django groups.

The groups are created by a data migration (portal/migrations/0002_roles.py) and kept in step
after every migrate by `sync_roles` (a post_migrate handler), which also grants the permissions
that the apps register with `grant()` from their AppConfig.ready(). portal knows no app: each
app says which of its permissions a role needs.
"""

from collections import defaultdict

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    MTT_OFFICE = "mtt_office", _("MTT Office")
    MTT_TECHNICIAN = "mtt_technician", _("MTT technician")
    MTT_ACCOUNT_MANAGER = "mtt_account_manager", _("Account manager")
    MTT_OFFICE_HEAD = "mtt_office_head", _("Head of the MTT Office")
    DIALOGUE_COMMITTEE = "dialogue_committee", _("Organising Committee standing office")
    DIALOGUE_UNIT = "dialogue_unit", _("Unit leader / academic staff")
    DIALOGUE_RESPONDER = "dialogue_responder", _("Department responder")
    LEADERSHIP = "leadership", _("Party Committee / Leadership Board")
    LEARNER = "learner", _("Learner")
    DIRECTORY_ADMIN = "directory_admin", _("Directory administrator")
    OPERATIONS = "operations", _("Operations")


ROLE_DUTIES = {
    Role.APPLICANT: _("Submits BM01/BM02 and follows the status."),
    Role.MTT_OFFICE: _("Step 3: receives and checks requests; step 5: notifies the result."),
    Role.MTT_TECHNICIAN: _("Step 4: issues the account or resets the password."),
    Role.MTT_ACCOUNT_MANAGER: _("Step 5: updates the issuance log (CreateEmailHUST-log)."),
    Role.MTT_OFFICE_HEAD: _("Step 6: BM03 reports; receives escalations."),
    Role.DIALOGUE_COMMITTEE: _("Runs the plan, consolidates, routes and reports."),
    Role.DIALOGUE_UNIT: _("Class and unit dialogues, minutes, unit answers."),
    Role.DIALOGUE_RESPONDER: _("Written answers to routed questions."),
    Role.LEADERSHIP: _("Reads plans, reports and answers."),
    Role.LEARNER: _("Submits questions and feedback."),
    Role.DIRECTORY_ADMIN: _("Edits units, people and assignments."),
    Role.OPERATIONS: _("Runs the portal: the outbox and the deadlines of every workflow."),
}

_grants: dict[str, set[str]] = defaultdict(set)


def grant(role: str, *permissions: str) -> None:
    """Register "app_label.codename" permissions that members of `role` hold."""
    _grants[str(role)].update(permissions)


def sync_roles(**kwargs) -> None:
    """Create any missing role group and give it the permissions registered for it.

    Idempotent; runs after every migrate (and after the test database is flushed).
    """
    from django.contrib.auth.models import Group, Permission

    for role in Role:
        group, _created = Group.objects.get_or_create(name=role.value)
        wanted = _grants.get(role.value)
        if not wanted:
            continue
        q = models.Q()
        for perm in wanted:
            app_label, codename = perm.split(".", 1)
            q |= models.Q(content_type__app_label=app_label, codename=codename)
        group.permissions.add(*Permission.objects.filter(q))
