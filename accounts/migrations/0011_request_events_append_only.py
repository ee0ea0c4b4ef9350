"""A request's history is permanent: the database refuses UPDATE and DELETE on its events
(portal.appendonly), as for the issuance log. Every event is one INSERT with its final details
(verify_request writes the comparison with the event). The one change let through is the
retention's erasure of the free-text note (accounts.privacy): note set to '', nothing else."""

from django.db import migrations

from portal.appendonly import ERASABLE, append_only


class Migration(migrations.Migration):
    dependencies = [("accounts", "0010_anonymised_at")]

    operations = [
        append_only("accounts_requestevent", erasable=ERASABLE["accounts_requestevent"])
    ]
