"""The former platform key is retired as of the moment per-organisation keys took over.

Until now its public half was trusted for a pack of any date, so whoever still holds the old
key file (or a backup of it) could sign a pack dated today that verified. From here on it
vouches only for packs made before per-organisation keys: the earliest of its recording by
migration 0003 and the first organisation key's creation."""

from django.db import migrations
from django.db.models import Min


def retire_platform_key(apps, schema_editor):
    SigningKey = apps.get_model("evidence", "SigningKey")
    first = SigningKey.objects.aggregate(first=Min("created_at"))["first"]
    for key in SigningKey.objects.filter(organization=None, retired_at=None):
        key.retired_at = min(first, key.created_at)
        key.retired_by = "per-organisation keys took over"
        key.save(update_fields=["retired_at", "retired_by"])


class Migration(migrations.Migration):
    dependencies = [
        ("evidence", "0004_signing_key_revoked"),
    ]

    operations = [
        migrations.RunPython(retire_platform_key, migrations.RunPython.noop, elidable=True),
    ]
