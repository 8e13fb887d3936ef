"""On PostgreSQL the database keeps the CSV cell of some text fields beside them (partners' migration 0011), and the
people export reads those cells as they are (``Column.stored``). Each must be the cell the Python writer writes of
its field, for any text any path can store (raw SQL included, so choices and address formats promise nothing), under
the rule as ``exports/neutralise.py`` has it now: a change to the rule fails here until a migration follows it."""

from __future__ import annotations

import importlib
from unittest import mock

from django.apps import apps
from django.db import connection, transaction
from hypothesis import example, given

from exports.neutralise import FORMULA_START
from exports.sources import TABLES
from exports.writers import cell
from partners.models import Company, Person, Site
from tests.exports.test_formula_safety import PAYLOAD, PROPERTY, TEXT, TRIGGERS, postgresql_only
from tests.factories import PersonFactory, SiteFactory

MIGRATION = importlib.import_module("partners.migrations.0011_export_cells")
VALUES = [
    "",
    " ",
    "plain",
    "無菌",
    "'=1",
    "-12",
    "-12.5",
    "－12",
    "- 12",
    "-12\n",
    "-1.",
    "\\.",
    '"quoted", with a comma',
    PAYLOAD,
    *TRIGGERS,
    *(f"{trigger}1" for trigger in TRIGGERS),
    *(f"{char}SUM(A1)" for char in FORMULA_START),
]


def stored_field(model, path: str):
    """The model and field a column's path ends at."""
    *links, name = path.split("__")
    for link in links:
        model = model._meta.get_field(link).related_model
    return model, model._meta.get_field(name)


def test_every_stored_column_is_a_text_field_whose_cell_the_migration_keeps():
    kept = {(model_name, field) for model_name, fields in MIGRATION.CELLS for field in fields}
    stored = [(name, c) for name, dataset in TABLES.items() for c in dataset.columns if c.stored]
    assert stored, "no dataset reads a stored cell"
    for name, column in stored:
        model, field = stored_field(TABLES[name].model, column.source)
        assert column.kind == "text", (name, column.key)
        assert (model.__name__, field.name) in kept, (name, column.key)


def store(value: str) -> dict[tuple[str, str], str | None]:
    """``value`` written by raw SQL into every field that has a stored cell; the cells the database keeps. Rolled back,
    so examples may repeat a value that must be unique."""
    with transaction.atomic():
        cells = stored(value)
        transaction.set_rollback(True)
    return cells


def stored(value: str) -> dict[tuple[str, str], str | None]:
    person = PersonFactory()
    site = SiteFactory(company=person.employer)
    rows = {Person: person.pk, Company: person.employer_id, Site: site.pk}
    cells = {}
    with connection.cursor() as cursor:
        for model_name, fields in MIGRATION.CELLS:
            model = {m.__name__: m for m in rows}[model_name]
            table = connection.ops.quote_name(model._meta.db_table)
            columns = [connection.ops.quote_name(model._meta.get_field(field).column) for field in fields]
            sets = ", ".join(f"{column} = %s" for column in columns)
            cursor.execute(f"UPDATE {table} SET {sets} WHERE id = %s", [value] * len(columns) + [rows[model]])  # noqa: S608
            kept = ", ".join(connection.ops.quote_name(f"{model._meta.get_field(f).column}_cell") for f in fields)
            cursor.execute(f"SELECT {kept} FROM {table} WHERE id = %s", [rows[model]])  # noqa: S608
            cells.update(zip(((model_name, field) for field in fields), cursor.fetchone(), strict=True))
    return cells


def expected(value: str) -> str | None:
    """The Python writer's cell; empty text is NULL, which COPY writes as an empty unquoted field, as Python does."""
    return cell("text", value) or None


@postgresql_only
def test_the_database_keeps_each_field_s_cell_as_the_python_writer_writes_it(db):
    wrong = {}
    for value in VALUES:
        cells = store(value)
        wrong.update({(value, *field): kept for field, kept in cells.items() if kept != expected(value)})
    assert wrong == {}


@postgresql_only
@PROPERTY
@given(value=TEXT)
@example(value="＝1")
def test_the_database_keeps_the_cell_of_any_text_as_the_python_writer_writes_it(db, value):
    cells = store(value)
    assert cells == dict.fromkeys(cells, expected(value))


def test_the_migration_leaves_sqlite_alone_both_ways():
    """SQLite writes every cell in Python: no column to add or drop there."""
    editor = mock.Mock()
    editor.connection.vendor = "sqlite"
    for operation in MIGRATION.Migration.operations:
        operation.code(apps, editor)
        operation.reverse_code(apps, editor)
    editor.execute.assert_not_called()


@postgresql_only
def test_the_cells_come_off_and_back_with_the_migration_and_are_computed_for_rows_already_there(db):
    person = PersonFactory(name="=1+1", name_ja="")
    with connection.cursor() as cursor:
        # The history's deferred checks run now: PostgreSQL alters no table with trigger events pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    def person_cells() -> dict[str, str | None]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM partners_person WHERE id = %s", [person.pk])
            row = dict(zip((c.name for c in cursor.description), cursor.fetchone(), strict=True))
        return {name: value for name, value in row.items() if name.endswith("_cell")}

    with connection.schema_editor() as editor:
        MIGRATION.drop(apps, editor)
    assert person_cells() == {}
    with connection.schema_editor() as editor:
        MIGRATION.add(apps, editor)
    cells = person_cells()
    assert cells["name_cell"] == "'=1+1"
    assert cells["name_ja_cell"] is None
    assert cells["email_cell"] == person.email
