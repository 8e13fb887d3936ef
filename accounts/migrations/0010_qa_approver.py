from django.db import migrations

from accounts.migrations._roles import set_roles


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
        "training.view_trainingimport",
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
        "training.view_trainingimport",
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
        "training.view_trainingimport",
        "training.view_trainingrecord",
    ],
    "QA approver": [
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
    """Quality assurance approves training records with its signature, and reads what everyone reads."""

    dependencies = [
        ("accounts", "0009_training_imports"),
        ("training", "0006_requires_qa_approval"),
    ]

    operations = [migrations.RunPython(set_roles(ROLES), migrations.RunPython.noop)]
