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
    ],
    "Auditor": [
        "audit.view_audit_trail",
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
    ],
}


class Migration(migrations.Migration):
    """Managers and auditors export records."""

    dependencies = [
        ("accounts", "0003_calendar_token"),
        ("exports", "0001_initial"),
    ]

    operations = [migrations.RunPython(set_roles(ROLES), migrations.RunPython.noop)]
