"""Database triggers that make history tables append-only, on SQLite and PostgreSQL.

Installed by migrations (``ProtectHistory``); a test checks every history table has them. Only someone
who can alter the schema (drop or disable the triggers) can get past them, and that leaves the
hash chain broken for ``verify_audit`` to find.
"""

from __future__ import annotations

import re

from django.db import migrations

REFUSAL = "audit history is append-only"

PG_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{REFUSAL}: % on % refused', TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE OR REPLACE FUNCTION audit_chain_head_only_grows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.length < OLD.length OR (NEW.length = OLD.length AND NEW.last_hash <> OLD.last_hash)
       OR NEW.chain <> OLD.chain THEN
        RAISE EXCEPTION '{REFUSAL}: the chain head of % can only grow', OLD.chain
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;
"""


def sqlite_statements(table: str) -> list[str]:
    return [
        f'CREATE TRIGGER IF NOT EXISTS "{table}_no_update" BEFORE UPDATE ON "{table}" '
        f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}: UPDATE on {table} refused'); END;",
        f'CREATE TRIGGER IF NOT EXISTS "{table}_no_delete" BEFORE DELETE ON "{table}" '
        f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}: DELETE on {table} refused'); END;",
    ]


def postgresql_statements(table: str) -> list[str]:
    return [
        f'CREATE OR REPLACE TRIGGER "{table}_no_change" BEFORE UPDATE OR DELETE ON "{table}" '
        "FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();",
        f'CREATE OR REPLACE TRIGGER "{table}_no_truncate" BEFORE TRUNCATE ON "{table}" '
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();",
    ]


def chain_head_statements(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [
            'CREATE OR REPLACE TRIGGER "audit_chainhead_no_delete" BEFORE DELETE ON "audit_chainhead" '
            "FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();",
            'CREATE OR REPLACE TRIGGER "audit_chainhead_no_truncate" BEFORE TRUNCATE ON "audit_chainhead" '
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();",
            'CREATE OR REPLACE TRIGGER "audit_chainhead_only_grows" BEFORE UPDATE ON "audit_chainhead" '
            "FOR EACH ROW EXECUTE FUNCTION audit_chain_head_only_grows();",
        ]
    return [
        'CREATE TRIGGER IF NOT EXISTS "audit_chainhead_no_delete" BEFORE DELETE ON "audit_chainhead" '
        f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}: DELETE on audit_chainhead refused'); END;",
        'CREATE TRIGGER IF NOT EXISTS "audit_chainhead_only_grows" BEFORE UPDATE ON "audit_chainhead" '
        "WHEN NEW.length < OLD.length OR (NEW.length = OLD.length AND NEW.last_hash <> OLD.last_hash) "
        "OR NEW.chain <> OLD.chain "
        f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}: the chain head can only grow'); END;",
    ]


def trigger_names(table: str, vendor: str) -> set[str]:
    return set(expected_triggers(table, vendor))


def install(schema_editor, tables: list[str], *, chain_head: bool = False) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in {"sqlite", "postgresql"}:
        raise NotImplementedError(f"No append-only triggers for {vendor}.")
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTIONS, params=None)
    build = postgresql_statements if vendor == "postgresql" else sqlite_statements
    statements = [statement for table in tables for statement in build(table)]
    if chain_head:
        statements += chain_head_statements(vendor)
    for statement in statements:
        schema_editor.execute(statement, params=None)


def protect_all_history(sender=None, using: str = "default", **kwargs) -> None:
    """After every migrate: (re)install the triggers on every history table.

    SQLite alters a table by rebuilding it, which drops its triggers; this puts them back whatever
    migration ran, and is a no-op where they already stand.
    """
    from django.db import connections

    from audit.verify import chained_models

    with connections[using].schema_editor(atomic=True) as schema_editor:
        install(schema_editor, [model._meta.db_table for model in chained_models()], chain_head=True)


class ProtectHistory(migrations.RunPython):
    """Migration operation: make the named history tables append-only."""

    def __init__(self, tables: list[str], *, chain_head: bool = False):
        self.tables, self.chain_head = list(tables), chain_head
        super().__init__(self._install, migrations.RunPython.noop)

    def _install(self, apps, schema_editor) -> None:
        install(schema_editor, self.tables, chain_head=self.chain_head)

    def describe(self) -> str:
        return f"Make {len(self.tables)} history tables append-only"


TRIGGER = re.compile(
    r'CREATE (?:OR REPLACE )?TRIGGER (?:IF NOT EXISTS )?"(?P<name>\w+)" BEFORE (?P<events>[A-Z ]+?) ON "\w+"'
    r"(?: FOR EACH (?P<level>ROW|STATEMENT) EXECUTE FUNCTION (?P<function>\w+)\(\))?"
)
FUNCTION = re.compile(r"FUNCTION (?P<name>\w+)\(\) RETURNS trigger LANGUAGE plpgsql AS \$\$(?P<body>.*?)\$\$", re.S)
# pg_trigger.tgtype bits
PG_ROW, PG_BEFORE, PG_EVENTS = 1, 2, {"INSERT": 4, "DELETE": 8, "UPDATE": 16, "TRUNCATE": 32}


def expected_triggers(table: str, vendor: str, *, chain_head: bool = False) -> dict[str, object]:
    """Each trigger ``install()`` puts on ``table``, by name, in the form the catalog gives it back.

    SQLite keeps a trigger's statement as written (less IF NOT EXISTS); PostgreSQL keeps its timing, level and
    events as bits, any WHEN condition, and the function it runs.
    """
    statements = (
        chain_head_statements(vendor)
        if chain_head
        else (postgresql_statements(table) if vendor == "postgresql" else sqlite_statements(table))
    )
    expected = {}
    for statement in statements:
        match = TRIGGER.match(statement)
        if vendor == "postgresql":
            events = sum(PG_EVENTS[event] for event in match["events"].split(" OR "))
            expected[match["name"]] = (
                PG_BEFORE | events | (PG_ROW if match["level"] == "ROW" else 0),
                match["function"],
            )
        else:
            expected[match["name"]] = statement.replace("IF NOT EXISTS ", "").rstrip(";")
    return expected


def protection_problems(connection, table: str, *, chain_head: bool = False) -> list[str]:
    """What is wrong with ``table``'s append-only triggers: missing, disabled, altered, or no longer refusing.

    The catalog is compared with what ``install()`` writes, not searched for a keyword: a trigger recreated with a
    condition that never holds, on other events, or running a function that no longer raises, is reported.
    """
    expected = expected_triggers(table, connection.vendor, chain_head=chain_head)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT t.tgname, t.tgenabled, t.tgtype, t.tgqual IS NULL, p.proname, p.prosrc "
                "FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "
                "WHERE t.tgrelid = to_regclass(%s) AND NOT t.tgisinternal",
                [connection.ops.quote_name(table)],
            )
            bodies = {m["name"]: m["body"] for m in FUNCTION.finditer(PG_FUNCTIONS)}
            # tgenabled: 'O' fires in ordinary sessions, 'A' always; 'D' is disabled, 'R' fires only on replicas.
            found = {
                name: (
                    state in {"O", "A"},
                    (kind, function) == expected.get(name) and unconditional,
                    source == bodies.get(function),
                )
                for name, state, kind, unconditional, function, source in cursor
            }
        else:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table])
            found = {name: (True, sql == expected.get(name), True) for name, sql in cursor}
    problems = []
    for name in sorted(expected):
        if name not in found:
            problems.append(f"trigger {name} is missing")
        elif not found[name][0]:
            problems.append(f"trigger {name} is disabled")
        elif not found[name][1]:
            problems.append(f"trigger {name} was altered: it no longer refuses every change")
        elif not found[name][2]:
            problems.append(f"trigger {name} no longer refuses changes: its function was replaced")
    return problems
