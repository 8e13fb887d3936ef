from django.db import migrations

from audit.protection import ProtectHistory


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0001_initial"),
        ("audit", "0003_protect_milestone_history_again"),
    ]

    operations = [
        ProtectHistory(
            [
                "training_historicalrequirement",
                "training_historicalrequirementversion",
                "training_historicalcurriculum",
                "training_historicalcurriculum_requirements",
                "training_historicaltrainingrecord",
            ]
        )
    ]
