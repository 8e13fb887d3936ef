from django.db import migrations

# As partners' migration 0010 (which adds the pg_trgm extension): trigram indexes for the admin's search of
# training records, on PostgreSQL only.
INDEXES = [
    ("TrainingRecord", "evidence", "training_evidence_trgm"),
    ("Requirement", "code", "requirement_code_trgm"),
]


def add(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.quote_name
    for model_name, field_name, name in INDEXES:
        model = apps.get_model("training", model_name)
        table, column = model._meta.db_table, model._meta.get_field(field_name).column
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {quote(name)} ON {quote(table)}"
            f" USING gin ((UPPER({quote(column)}::text)) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _model_name, _field_name, name in INDEXES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {schema_editor.quote_name(name)}")


class Migration(migrations.Migration):
    # Built CONCURRENTLY, which PostgreSQL refuses inside a transaction: writes to these tables go on while each
    # index is built, instead of waiting for it on a large database.
    atomic = False

    dependencies = [
        ("training", "0011_clearance_counts"),
        ("partners", "0010_search_trigram_indexes"),
    ]

    operations = [migrations.RunPython(add, drop)]
