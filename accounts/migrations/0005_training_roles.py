from django.db import migrations

from accounts.roles import sync_roles


class Migration(migrations.Migration):
    """Everyone reads training records; staff enter them."""

    dependencies = [
        ("accounts", "0004_exporters"),
        ("training", "0001_initial"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
