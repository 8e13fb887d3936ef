"""A guard: no code path outside migrations writes audited rows without leaving history.

QuerySet.update()/bulk_update()/delete() on audited models raise at run time (AuditedQuerySet); this
scan also catches the ways around it: raw SQL, history switched off, private delete/update methods.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from audit.history import AuditedWriteError
from audit.registry import audited_models
from audit.verify import verify_all
from milestones.models import Dependency, Milestone
from partners.models import Person
from tests.factories import MilestoneFactory

ROOT = Path(__file__).resolve().parents[2]
SKIP_DIRS = {".venv", "tests", "migrations", "node_modules", ".git", "staticfiles"}
FORBIDDEN_ATTRIBUTES = {
    "save_without_historical_record": "saves without history",
    "skip_history_when_saving": "switches history off",
    "_raw_delete": "deletes without signals",
    "raw": "raw SQL query",
    "extra": "raw SQL fragment",
    "executemany": "raw SQL write",
}
# Raw SQL that touches no audited table: the health probe's SELECT 1, the trigger DDL run by migrations,
# the chain head, which is not itself a record, reading the keys a history table gives next, reading the
# catalog for the triggers' state, the load test creating its database, an export's time limit, the dashboard's count
# of qualified people (a SELECT), the benchmark refreshing the planner's statistics, the clearance summary's rows,
# derived and not audited, deleted in one statement when they are rewritten, the exchange summary's rows, derived and
# not audited likewise (counts added to in place, deleted in one statement when rebuilt), the summary of held
# qualifications' rows, derived and not audited likewise (deleted in one statement when rewritten, and counted with
# the check that every row answers in one SELECT), the clearance summary's sum, derived and not audited likewise (counts
# added to in place in one INSERT … ON CONFLICT, rows marked as answering for no day, and the check that every row
# answers in one SELECT), and the exports' reads on PostgreSQL.
ALLOWED = {
    ("core/views.py", "execute"),
    ("audit/protection.py", "execute"),
    ("audit/chain.py", "update"),
    ("audit/chain.py", "execute"),
    ("load/run.py", "execute"),  # creates the load test's own database
    ("audit/history.py", "executemany"),  # bulk_update_with_history: writes a history row for each row it updates
    ("exports/limits.py", "execute"),  # sets an export's statement timeout
    ("exports/checks.py", "execute"),  # reads the database's encoding (SHOW server_encoding)
    ("training/readiness.py", "execute"),  # reads who is qualified, in one SELECT
    ("bench/__main__.py", "execute"),  # ANALYZE after the benchmark's bulk load
    ("bench/dashboard.py", "execute"),  # creates and drops the copy of the benchmark database at its first size
    ("training/clearance.py", "_raw_delete"),
    ("training/clearance.py", "update"),
    ("training/clearance.py", "execute"),
    ("training/holdings.py", "_raw_delete"),
    ("training/holdings.py", "execute"),  # counts what expires soon, and whether every row answers, in one SELECT
    ("partners/summary.py", "_raw_delete"),
    ("partners/summary.py", "update"),
    ("exports/sources.py", "execute"),  # an export's session settings (SET LOCAL), and a COUNT of its SELECT
    # The audit trail's temporary table of values only Python writes, which its SELECTs read: created, analysed and
    # dropped in the export's transaction.
    ("exports/audit_sql/__init__.py", "execute"),
    # A role change from the identity provider: the group writes are silenced only so that the user's save right
    # after records them all in one history row, with the provider's reason.
    ("accounts/identity/roles.py", "skip_history_when_saving"),
}


def project_files():
    for path in ROOT.rglob("*.py"):
        if not SKIP_DIRS.intersection(path.relative_to(ROOT).parts):
            yield path


def findings(source: str, relative: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source, filename=relative)):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in FORBIDDEN_ATTRIBUTES
            and (relative, node.attr) not in ALLOWED
        ):
            found.append(f"{relative}:{node.lineno} {node.attr} ({FORBIDDEN_ATTRIBUTES[node.attr]})")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            name = node.func.attr
            if (relative, name) in ALLOWED:
                continue
            if name == "execute":
                found.append(f"{relative}:{node.lineno} cursor.execute (raw SQL)")
            if name in {"update", "bulk_update"} and isinstance(node.func.value, ast.Call | ast.Attribute):
                receiver = ast.unparse(node.func.value)
                if "objects" in receiver or "filter(" in receiver or "exclude(" in receiver:
                    found.append(f"{relative}:{node.lineno} {receiver}.{name}() (bulk write without history)")
    return found


def test_no_code_writes_audited_records_around_the_history():
    problems = [
        problem for path in project_files() for problem in findings(path.read_text(), path.relative_to(ROOT).as_posix())
    ]
    assert problems == []


def test_the_guard_recognises_silent_writes():
    source = (
        "Exchange.objects.filter(pk=1).update(status='x')\n"
        "person.save_without_historical_record()\n"
        "connection.cursor().execute('DELETE FROM partners_exchange')\n"
    )
    assert sorted(findings(source, "partners/sample.py")) == [
        "partners/sample.py:1 Exchange.objects.filter(pk=1).update() (bulk write without history)",
        "partners/sample.py:2 save_without_historical_record (saves without history)",
        "partners/sample.py:3 cursor.execute (raw SQL)",
    ]


@pytest.mark.parametrize("model", audited_models(), ids=lambda model: model._meta.label)
def test_queryset_delete_is_refused_on_every_audited_model(model, db):
    with pytest.raises(AuditedWriteError):
        model._default_manager.filter(pk__gte=0).delete()


def test_queryset_delete_is_refused_before_anything_is_removed(alliance):
    with pytest.raises(AuditedWriteError):
        Person.objects.filter(employer=alliance.medinet).delete()
    assert Person.objects.filter(employer=alliance.medinet).count() == 2
    assert not Person.history.filter(history_type="-").exists()


def test_deleting_one_record_still_cascades_and_leaves_its_reason(alliance):
    first = MilestoneFactory(partnership=alliance.partnership, title="QC method transfer")
    second = MilestoneFactory(partnership=alliance.partnership, title="Yokohama launch")
    second._change_reason = "Launch waits on the QC method transfer"
    second.dependencies.set([first])
    second._change_reason = "Launch cancelled by the steering committee"
    pk = second.pk
    second.delete()  # the collector removes its dependency links with it
    assert not Dependency.objects.exists()
    deleted = Milestone.history.filter(id=pk).latest()
    assert (deleted.history_type, deleted.history_change_reason) == (
        "-",
        "Launch cancelled by the steering committee",
    )
    assert all(report.ok for report in verify_all())
