from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

# The admin's search (core/search.py) reads each table's matches for a word through a trigram index, on PostgreSQL
# only (SQLite has no such index; there the search reads the tables as before). Each index is of the expression
# Django's icontains compares on PostgreSQL, UPPER(column::text), so the planner can use it for that lookup. Not
# in the models' Meta.indexes: SQLite could not build them. tests/core/test_search.py holds every field an admin
# searches by index to having its index here or in training's migration 0012.
INDEXES = [
    ("Person", "name", "person_name_trgm"),
    ("Person", "name_ja", "person_name_ja_trgm"),
    ("Person", "email", "person_email_trgm"),
    ("Person", "job_title", "person_job_title_trgm"),
    ("Exchange", "objectives", "exchange_objectives_trgm"),
]


def add(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.quote_name
    for model_name, field_name, name in INDEXES:
        model = apps.get_model("partners", model_name)
        table, column = model._meta.db_table, model._meta.get_field(field_name).column
        schema_editor.execute(
            f"CREATE INDEX {quote(name)} ON {quote(table)} USING gin ((UPPER({quote(column)}::text)) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _model_name, _field_name, name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


class Migration(migrations.Migration):
    dependencies = [("partners", "0009_exchange_days")]

    operations = [
        # CREATE EXTENSION pg_trgm on PostgreSQL; nothing on SQLite.
        TrigramExtension(),
        migrations.RunPython(add, drop),
    ]
