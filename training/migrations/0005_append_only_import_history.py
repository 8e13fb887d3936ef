from django.db import migrations

from audit.protection import ProtectHistory


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0004_imports"),
        ("audit", "0004_protect_milestone_history_after_headcount"),
    ]

    operations = [ProtectHistory(["training_historicaltrainingimport"])]
