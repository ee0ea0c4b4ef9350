"""The audit rows of this app are permanent: the database refuses UPDATE and DELETE on them
(portal.appendonly). A correction is a new row."""

from django.db import migrations

from portal.appendonly import append_only


class Migration(migrations.Migration):
    dependencies = [("portal", "0008_identity")]

    operations = [append_only("portal_notificationevent")]
