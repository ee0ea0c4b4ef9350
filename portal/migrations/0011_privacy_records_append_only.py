"""The records of personal-data handling are permanent: the database refuses UPDATE and DELETE
on the consents given and on the personal-data log (portal.appendonly). Both are only ever
inserted (portal.privacy)."""

from django.db import migrations

from portal.appendonly import append_only


class Migration(migrations.Migration):
    dependencies = [("portal", "0010_privacy")]

    operations = [append_only("portal_consent"), append_only("portal_privacylogentry")]
