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
    # IF NOT EXISTS: where the app's role may not create it, a superuser will have (docs/operations.md). Left in
    # place when this is unapplied: it may have been there before, and other objects may use it.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    quote = schema_editor.quote_name
    for model_name, field_name, name in INDEXES:
        model = apps.get_model("partners", model_name)
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

    dependencies = [("partners", "0009_exchange_days")]

    operations = [migrations.RunPython(add, drop)]
