from django.db import migrations

from audit.protection import ProtectHistory


class Migration(migrations.Migration):
    dependencies = [
        ("exports", "0001_initial"),
        ("audit", "0003_protect_milestone_history_again"),
    ]

    operations = [ProtectHistory(["exports_historicalexportrecord"])]
