from django.db import migrations

from audit.protection import ProtectHistory


class Migration(migrations.Migration):
    """Adding columns rebuilds the table on SQLite, dropping its triggers: put them back."""

    dependencies = [
        ("audit", "0003_protect_milestone_history_again"),
        ("milestones", "0004_milestone_headcount_need"),
    ]

    operations = [ProtectHistory(["milestones_historicalmilestone"])]
