"""Each record's name as the database says it (``audit/names.py``, ``exports/audit_sql/names.py``) is ``str()`` of
the record as Python says it (``audit.trail.Names``), for every record the audit trail names: alive, deleted (by
its last history row), never known, with Japanese, empty and hostile parts, in the source language and in Japanese."""

from __future__ import annotations

import datetime
import io
import re
from dataclasses import replace

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from accounts.models import ApiToken
from audit import registry
from audit.names import name_expression
from audit.trail import Names, tracked_fields
from exports.audit_sql.names import Names as SqlNames
from exports.filters import Filters
from exports.models import ExportRecord
from exports.sources import AUDIT_TRAIL, source
from exports.writers import write_csv
from partners.models import Exchange, Function, Site
from tests.exports.test_audit_trail_copy import trail  # noqa: F401 - the fixture, every kind of change
from tests.factories import (
    ActionFactory,
    CompanyFactory,
    DecisionFactory,
    ExchangeFactory,
    MeetingFactory,
    MilestoneFactory,
    PersonFactory,
    RiskFactory,
    SiteFactory,
    TrainingRecordFactory,
    UserFactory,
)
from training.models import Curriculum, TrainingImport, TrainingRecord

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the names are said in PostgreSQL's SQL (to_char), for its COPY"
)

HOSTILE = ['O\'Brien \\ "quoted"', "=1+1", "  spaced  ", "改行\nあり", "%(name)s %s"]


def named_models() -> list:
    """Every model whose records the trail names: the audited records, what their fields point at, their sets."""
    found = []
    for model in registry.record_types().values():
        related = [f.related_model for f in tracked_fields(model) if f.is_relation]
        targets = [f.related_model for f in model.history.model._history_m2m_fields]
        for each in [model, *related, *targets]:
            if each not in found:
                found.append(each)
    return found


@pytest.fixture
def varied(trail, alliance):  # noqa: F811 - the fixture imported above
    """Japanese names beside Latin ones, empty and hostile parts, and records of every kind the trail names."""
    company = CompanyFactory(name=HOSTILE[0], name_ja="株式会社テスト", short_name="=SUM(A1)")
    SiteFactory(company=company, name=HOSTILE[1], name_ja="")
    person = PersonFactory(name=HOSTILE[3], name_ja="山田 花子", employer=alliance.medinet)
    ExchangeFactory(
        person=person,
        partnership=alliance.partnership,
        host_company=alliance.agc_bio,
        host_site=alliance.yokohama,
        planned_start=datetime.date(2031, 1, 2),
        planned_end=datetime.date(2031, 2, 1),
    )
    MilestoneFactory(partnership=alliance.partnership, title=HOSTILE[4], title_ja="第三段階")
    meeting = MeetingFactory(partnership=alliance.partnership, title=HOSTILE[2], held_on=datetime.date(2025, 7, 4))
    # Numbered by the service, then by hand; a decision without a number is refused by the database (decision_numbered).
    numbered = DecisionFactory(partnership=alliance.partnership, meeting=meeting, title="Numbered")
    numbered.number = "JSC-2026-07"
    numbered.save()
    ActionFactory(partnership=alliance.partnership, owner=person, meeting=meeting, title=HOSTILE[1])
    RiskFactory(partnership=alliance.partnership, owner=person, title=HOSTILE[0])
    record = TrainingRecordFactory(person=person, completed_on=datetime.date(2025, 12, 31))
    Curriculum.objects.create(name=HOSTILE[0], name_ja="新人研修", function=Function.MANUFACTURING)
    user = UserFactory(username="+tanaka@example.jp")
    TrainingImport.objects.create(
        user=user,
        file_name=HOSTILE[3],
        sha256="0" * 64,
        file_format="csv",
        rows_created=0,
        rows_updated=0,
        rows_unchanged=0,
        reason="Records from the paper forms",
    )
    now = timezone.now()
    ApiToken.objects.create(
        user=user,
        name=HOSTILE[4],
        prefix="ab'c",
        digest="f" * 64,
        created_at=now,
        expires_at=now + datetime.timedelta(1),
    )
    ExportRecord.objects.create(user=user, dataset="exchanges", format="csv", row_count=0, sha256="0" * 64)
    # A content type whose model is gone: Django names it by its model's name alone.
    gone = ContentType.objects.create(app_label="gone", model="vanished")
    Permission.objects.create(codename="do_vanished", name="Can do a vanished thing", content_type=gone)
    # Deleted records, named by their last history row: one renamed before it went.
    person.name = "山田 花子（旧姓）"
    person.save()
    deleted = record.pk
    record.delete()
    return deleted


def ids_of(model) -> list:
    """Every record the trail could name: alive, deleted with history, and an id never given."""
    ids = set(model._default_manager.values_list("pk", flat=True))
    if hasattr(model._meta, "simple_history_manager_attribute"):
        ids |= set(model.history.values_list(model._meta.pk.attname, flat=True))
    return sorted(ids) + [max(ids, default=0) + 1000]


def sql_names(model, ids: list) -> list[str]:
    names = SqlNames()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {names.of(model, 'i.pk')} FROM unnest(%s::bigint[]) WITH ORDINALITY AS i(pk, n) ORDER BY n",  # noqa: S608
            [ids],
        )
        return [name for (name,) in cursor.fetchall()]


@postgresql_only
@pytest.mark.parametrize("language", [None, "ja"])
def test_the_database_names_every_record_the_trail_names_as_str_does(varied, language):
    with translation.override(language):
        for model in named_models():
            ids = ids_of(model)
            python = Names()
            assert sql_names(model, ids) == [python(model, pk) for pk in ids], model


@postgresql_only
def test_the_names_cover_deleted_records_japanese_parts_and_ids_never_given(varied):
    with translation.override(None):
        names = dict(zip(ids_of(TrainingRecord), sql_names(TrainingRecord, ids_of(TrainingRecord)), strict=True))
    assert re.fullmatch(r"山田 花子（旧姓） — SOP-\S+ v\d+ \(2025-12-31\) \(deleted\)", names[varied])
    assert list(names.values())[-1] == f"#{list(names)[-1]} (deleted)"
    with translation.override("ja"):
        [exchange] = Exchange.objects.filter(planned_start=datetime.date(2031, 1, 2))
        assert sql_names(Exchange, [exchange.pk]) == [str(exchange)]
        # The person's Japanese name in Japanese, their Latin one (renamed) in the source language.
        assert sql_names(Exchange, [exchange.pk]) == ["山田 花子 → AGC Biologics (2031-01-02)"]
    with translation.override(None):
        assert sql_names(Exchange, [exchange.pk]) == ["山田 花子（旧姓） → AGC Biologics (2031-01-02)"]


def test_every_record_the_trail_names_has_a_name_the_database_can_say(db):
    # The source language, in which every export names records: each has its expression, so none needs Python.
    with translation.override(None):
        assert [m for m in named_models() if name_expression(m) is None] == []


@postgresql_only
def test_a_permission_of_a_content_type_made_after_its_names_were_compiled_is_named_as_str_does(db):
    # The names' SQL is compiled once per model and language for the process (exports/audit_sql/names.py): it must not
    # hold the content types there were then.
    with translation.override(None):
        before = Permission.objects.order_by("pk").first()
        assert sql_names(Permission, [before.pk]) == [str(before)]
        # An installed model that had no content type (Django makes none for a many-to-many's own table) gets one.
        through = Site.capabilities.through
        late = ContentType.objects.create(app_label=through._meta.app_label, model=through._meta.model_name)
        gone = ContentType.objects.create(app_label="gone", model="vanished")
        permissions = [
            Permission.objects.create(codename="link_capability", name="Link a capability", content_type=late),
            Permission.objects.create(codename="do_vanished", name="Do a vanished thing", content_type=gone),
        ]
        assert sql_names(Permission, [p.pk for p in permissions]) == [str(p) for p in permissions]
        assert str(permissions[0]).startswith(f"{late.app_labeled_name} | ") and late.model_class() is through


def test_the_trail_names_every_record_whatever_the_pieces_its_ids_are_fetched_in(varied, monkeypatch):
    # The names and the many-to-many snapshots of a batch are fetched a query's worth of ids at a time (in_pieces):
    # with two ids a query, a batch of this trail names many more, so a piece left out shows as a name or set missing.
    def written() -> tuple[bytes, int]:
        out = io.BytesIO()
        with CaptureQueriesContext(connection) as queries:
            # The Python writer, which fetches them, on PostgreSQL too (its COPY names records in SQL).
            write_csv(replace(source(AUDIT_TRAIL, Filters()), copy_selects=None), out)
        return out.getvalue(), len(queries)

    whole, whole_queries = written()
    monkeypatch.setattr("audit.trail.IDS_PER_QUERY", 2)
    pieces, pieces_queries = written()
    # Many more queries: the batch's names and sets really were fetched in pieces, not in one query each.
    assert pieces_queries > whole_queries + 10
    assert pieces.decode() == whole.decode()
