from django.db import migrations

from accounts.roles import sync_roles


class Migration(migrations.Migration):
    """Managers and auditors read the audit trail."""

    dependencies = [
        ("accounts", "0001_roles"),
        ("audit", "0002_append_only_history"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
