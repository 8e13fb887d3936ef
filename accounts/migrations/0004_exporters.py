from django.db import migrations

from accounts.roles import sync_roles


class Migration(migrations.Migration):
    """Managers and auditors export records."""

    dependencies = [
        ("accounts", "0003_calendar_token"),
        ("exports", "0001_initial"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
