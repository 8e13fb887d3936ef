from django.db import migrations

# On PostgreSQL, each of these text columns has beside it its CSV cell as the exports write it (exports/sql_cells.py),
# kept by the database on every write: "<column>_cell", text neutralised against spreadsheet formulas, NULL for empty
# text. The people export reads them as they are, where a test of each cell's first character cost a fifth of its
# COPY (docs/benchmarks.md). Unknown to the models: Django names the columns it writes, and SQLite, whose exports
# write cells in Python, has none. Adding them computes them for every existing row.
#
# The rule is written out here as it stands, not imported: a change to exports/neutralise.py needs a migration that
# replaces these columns, and tests/exports/test_stored_cells.py fails until it has one. A change to a source
# column's type must drop its cell column first (PostgreSQL refuses to alter a column a generated column reads).
CELLS = [
    ("Person", ("name", "name_ja", "function", "job_title", "email")),
    ("Company", ("name",)),
    ("Site", ("name",)),
]
# = + - @ tab CR and the full-width ＝ ＋ － ＠, by code point; empty text's is 0.
FORMULA_START = "61, 43, 45, 64, 9, 13, 65309, 65291, 65293, 65312"
PLAIN_NEGATIVE_NUMBER = "'^-[0-9]+([.][0-9]+)?$'"


def cell(column: str) -> str:
    text = f"{column}::text"
    rule = (
        f"CASE WHEN ascii({text}) IN ({FORMULA_START}) AND {text} !~ {PLAIN_NEGATIVE_NUMBER} "
        f"THEN '''' || {text} ELSE {text} END"
    )
    return f"CASE WHEN {text} = '' THEN NULL ELSE {rule} END"


def columns(apps, schema_editor):
    for model_name, field_names in CELLS:
        model = apps.get_model("partners", model_name)
        for field_name in field_names:
            yield model._meta.db_table, model._meta.get_field(field_name).column


def add(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.quote_name
    for table, column in columns(apps, schema_editor):
        schema_editor.execute(
            f"ALTER TABLE {quote(table)} ADD COLUMN {quote(column + '_cell')} text "
            f"GENERATED ALWAYS AS ({cell(quote(column))}) STORED"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.quote_name
    for table, column in columns(apps, schema_editor):
        schema_editor.execute(f"ALTER TABLE {quote(table)} DROP COLUMN IF EXISTS {quote(column + '_cell')}")


class Migration(migrations.Migration):
    dependencies = [("partners", "0010_search_trigram_indexes")]

    operations = [migrations.RunPython(add, drop)]
