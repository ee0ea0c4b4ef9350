"""The tracking token is no longer stored as it is (issue 10 §1): a digest finds the request,
an encrypted copy shows the link again to its holder. Existing tokens keep working."""

from django.db import migrations, models


def seal_existing(apps, schema_editor):
    from accounts.crypto import seal_token, token_digest

    AccountRequest = apps.get_model("accounts", "AccountRequest")
    rows = AccountRequest.objects.only("pk", "tracking_token")
    for req in rows.iterator(chunk_size=2000):
        req.tracking_digest = token_digest(req.tracking_token)
        req.tracking_sealed = seal_token(req.tracking_token)
        req.save(update_fields=["tracking_digest", "tracking_sealed"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_contact_change")]

    operations = [
        migrations.AddField(
            model_name="accountrequest",
            name="tracking_digest",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="accountrequest",
            name="tracking_sealed",
            field=models.TextField(default="", editable=False),
            preserve_default=False,
        ),
        migrations.RunPython(seal_existing, migrations.RunPython.noop),
        migrations.RemoveField(model_name="accountrequest", name="tracking_token"),
        migrations.AlterField(
            model_name="accountrequest",
            name="tracking_digest",
            field=models.CharField(editable=False, max_length=64, unique=True),
        ),
    ]
