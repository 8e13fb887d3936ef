from django.db import migrations

from accounts.roles import sync_roles
from audit.protection import ProtectHistory


class Migration(migrations.Migration):
    """Access changes are append-only like every other history; auditors read accounts and roles."""

    dependencies = [
        ("accounts", "0007_access_history"),
        ("audit", "0004_protect_milestone_history_after_headcount"),
    ]

    operations = [
        ProtectHistory(
            [
                "accounts_historicaluser",
                "accounts_historicaluser_groups",
                "accounts_historicaluser_user_permissions",
                "accounts_historicalgroup",
                "accounts_historicalgroup_permissions",
            ]
        ),
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
    ]
