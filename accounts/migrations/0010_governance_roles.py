from django.db import migrations

from accounts.migrations._roles import set_roles


# The roles as they stood when this migration was written: frozen, whatever accounts/roles.py says now.
ROLES = {
    "Staff": [
        "governance.add_action",
        "governance.add_decision",
        "governance.add_meeting",
        "governance.add_risk",
        "governance.change_action",
        "governance.change_decision",
        "governance.change_meeting",
        "governance.change_risk",
        "governance.view_action",
        "governance.view_decision",
        "governance.view_meeting",
        "governance.view_risk",
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
        "training.view_trainingimport",
        "training.view_trainingrecord",
    ],
    "Manager": [
        "audit.view_audit_trail",
        "exports.export_records",
        "governance.view_action",
        "governance.view_decision",
        "governance.view_meeting",
        "governance.view_risk",
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
        "training.view_trainingimport",
        "training.view_trainingrecord",
    ],
    "Auditor": [
        "audit.view_audit_trail",
        "auth.view_group",
        "auth.view_user",
        "exports.export_records",
        "governance.view_action",
        "governance.view_decision",
        "governance.view_meeting",
        "governance.view_risk",
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
        "training.view_trainingimport",
        "training.view_trainingrecord",
    ],
}


class Migration(migrations.Migration):
    """Staff keep meetings, decisions, actions and risks; everyone who reads the records reads them."""

    dependencies = [
        ("accounts", "0009_training_imports"),
        ("governance", "0001_initial"),
    ]

    operations = [migrations.RunPython(set_roles(ROLES), migrations.RunPython.noop)]
