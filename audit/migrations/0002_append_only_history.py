from django.db import migrations

from audit.protection import ProtectHistory


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("partners", "0003_historicalcapability_historicalcompany_and_more"),
        ("milestones", "0002_historicalmilestone_historicaldependency"),
    ]

    operations = [
        ProtectHistory(
            [
                "partners_historicalcompany",
                "partners_historicalpartnership",
                "partners_historicalpartnershipparty",
                "partners_historicalcapability",
                "partners_historicalsite",
                "partners_historicalsite_capabilities",
                "partners_historicalperson",
                "partners_historicalexchange",
                "milestones_historicalmilestone",
                "milestones_historicaldependency",
            ],
            chain_head=True,
        ),
    ]
