from django.db import migrations

from accounts.roles import sync_roles


class Migration(migrations.Migration):
    """Everyone who reads training records reads the record of each import."""

    dependencies = [
        ("accounts", "0008_access_review"),
        ("training", "0004_imports"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
