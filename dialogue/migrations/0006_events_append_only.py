"""The audit rows of this app are permanent: the database refuses UPDATE and DELETE on them
(portal.appendonly). A correction is a new row."""

from django.db import migrations

from portal.appendonly import append_only


class Migration(migrations.Migration):
    dependencies = [("dialogue", "0005_milestone_rounds")]

    operations = [append_only("dialogue_event")]
