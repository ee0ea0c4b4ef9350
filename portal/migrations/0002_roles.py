"""Create the role groups of DESIGN.md. Permissions are attached by portal.roles.sync_roles
after migrate, once every app's permissions exist."""

from django.db import migrations

ROLES = [
    "applicant",
    "mtt_office",
    "mtt_technician",
    "mtt_account_manager",
    "mtt_office_head",
    "dialogue_committee",
    "dialogue_unit",
    "dialogue_responder",
    "leadership",
    "learner",
    "directory_admin",
]


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
