from django.db import migrations

from accounts.migrations._roles import set_roles
from audit.protection import ProtectHistory


# The roles as they stood when this migration was written: frozen, whatever accounts/roles.py says now.
ROLES = {
    "Staff": [
        "milestones.view_dependency",
        "milestones.view_milestone",
        "partners.add_exchange",
        "partners.add_person",
        "partners.change_exchange",
        "partners.change_person",
        "partners.view_capability",
        "partners.view_company",
        "partners.view_exchange",
        "partners.view_partnership",
        "partners.view_partnershipparty",
        "partners.view_person",
        "partners.view_site",
        "training.add_trainingrecord",
        "training.change_trainingrecord",
        "training.view_curriculum",
        "training.view_requirement",
        "training.view_requirementversion",
        "training.view_trainingrecord",
    ],
    "Manager": [
        "audit.view_audit_trail",
        "exports.export_records",
        "milestones.add_dependency",
        "milestones.add_milestone",
        "milestones.change_dependency",
        "milestones.change_milestone",
        "milestones.view_dependency",
        "milestones.view_milestone",
        "partners.view_capability",
        "partners.view_company",
        "partners.view_exchange",
        "partners.view_partnership",
        "partners.view_partnershipparty",
        "partners.view_person",
        "partners.view_site",
        "training.view_curriculum",
        "training.view_requirement",
        "training.view_requirementversion",
        "training.view_trainingrecord",
    ],
    "Auditor": [
        "audit.view_audit_trail",
        "auth.view_group",
        "auth.view_user",
        "exports.export_records",
        "milestones.view_dependency",
        "milestones.view_milestone",
        "partners.view_capability",
        "partners.view_company",
        "partners.view_exchange",
        "partners.view_partnership",
        "partners.view_partnershipparty",
        "partners.view_person",
        "partners.view_site",
        "training.view_curriculum",
        "training.view_requirement",
        "training.view_requirementversion",
        "training.view_trainingrecord",
    ],
}


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
        migrations.RunPython(set_roles(ROLES), migrations.RunPython.noop),
    ]
