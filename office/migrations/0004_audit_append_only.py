"""The audit rows of this app are permanent: the database refuses UPDATE and DELETE on them
(portal.appendonly). A correction is a new row."""

from django.db import migrations

from portal.appendonly import append_only


class Migration(migrations.Migration):
    dependencies = [("office", "0003_person_staff_code")]

    operations = [append_only("office_auditevent")]
