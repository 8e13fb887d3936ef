from django.db import migrations

from audit.protection import ProtectHistory


class Migration(migrations.Migration):
    """Adding a column rebuilds the table on SQLite, dropping its triggers: put them back."""

    dependencies = [
        ("audit", "0002_append_only_history"),
        ("milestones", "0003_milestone_countdown"),
    ]

    operations = [ProtectHistory(["milestones_historicalmilestone"])]
