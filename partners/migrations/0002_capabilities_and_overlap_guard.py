from django.db import migrations

CAPABILITIES = [
    ("process-development", "Process development"),
    ("clinical-manufacturing", "Clinical manufacturing"),
    ("commercial-manufacturing", "Commercial manufacturing"),
    ("qc-testing", "QC testing"),
    ("cell-processing", "Cell processing"),
    ("analytical-development", "Analytical development"),
]

# PostgreSQL can hold the "no overlapping exchanges per person" rule itself, so two
# concurrent saves cannot both slip past Exchange.clean(). SQLite has no such constraint.
# The period is frozen here as it was when this migration ran; the rule itself lives once in
# partners.models.exchange (PERIOD_START/PERIOD_END), and changing it needs a new migration.
PERIOD = (
    "daterange(COALESCE(actual_start, planned_start), "
    "COALESCE(actual_end, GREATEST(planned_end, COALESCE(actual_start, planned_start))), '[]')"
)
ADD_OVERLAP_GUARD = f"""
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE partners_exchange ADD CONSTRAINT exchange_no_overlap_per_person
    EXCLUDE USING gist (person_id WITH =, {PERIOD} WITH &&) WHERE (status <> 'cancelled');
"""
DROP_OVERLAP_GUARD = "ALTER TABLE partners_exchange DROP CONSTRAINT exchange_no_overlap_per_person;"


def add_capabilities(apps, schema_editor):
    Capability = apps.get_model("partners", "Capability")
    for code, name in CAPABILITIES:
        Capability.objects.get_or_create(code=code, defaults={"name": name})


def add_overlap_guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ADD_OVERLAP_GUARD, params=None)


def drop_overlap_guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_OVERLAP_GUARD)


class Migration(migrations.Migration):
    dependencies = [("partners", "0001_initial")]

    operations = [
        migrations.RunPython(add_capabilities, migrations.RunPython.noop),
        migrations.RunPython(add_overlap_guard, drop_overlap_guard),
    ]
