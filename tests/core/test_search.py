"""The admin's search through trigram indexes (core/search.py) finds exactly what Django's own search finds."""

from __future__ import annotations

import datetime
import importlib
from unittest import mock
from unittest.mock import PropertyMock

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.management import call_command
from django.db import connection, models
from django.db.migrations import RunPython
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.admin import bound_search
from core.search import IndexedSearchMixin, by_table, search_by_index
from demo.seed import add_synthetic_exchanges
from partners.models import Exchange, Person
from tests.factories import ExchangeFactory, PersonFactory, RequirementVersionFactory, TrainingRecordFactory
from training.models import TrainingRecord

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes are PostgreSQL's")

# Words in one field or in none, across the record and its person, short words, LIKE's wildcards, case, quoted
# phrases, Japanese, and an empty quoted phrase (which Django reads as "contains nothing": every row).
SEARCHES = [
    "demo",
    "DEMO person",
    '"Person 000000"',
    "0000003",
    "Yamada",
    "yamada kyoto",
    "kyoto yamada",
    "gowning yamada",
    "Takahashi gowning",
    "SOP-QA",
    "form-17",
    "ya",
    "50%",
    "a_b",
    "山田",
    "山田 京都",
    "'Cell therapy' takumi",
    "synthetic record 0000002",
    "@medinet",
    "nobody-by-this-name",
    '""',
    "Demo Person Synthetic demo record",
]


@pytest.fixture
def searched(alliance):
    """People, exchanges and training records whose words sit in one table or the other."""
    add_synthetic_exchanges(alliance.partnership, 25, seed=3)
    yamada = alliance.medinet_person
    kyoto = PersonFactory(name="Kenji Sato", name_ja="佐藤 京都", employer=alliance.agc_bio, job_title="QA lead")
    percent = PersonFactory(name="Aya 50% Ueda", employer=alliance.medinet, email="a_b@medinet.example")
    for number, (person, objectives) in enumerate(
        [
            (yamada, "Learn the Kyoto line's cell therapy batch record."),
            (alliance.agc_person, "Gowning qualification at 山田 site."),
            (kyoto, "Shadow Takumi on the Yamada process."),
            (percent, "Reach 50% of the aseptic steps."),
        ]
    ):
        ExchangeFactory(
            person=person,
            partnership=alliance.partnership,
            host_company=alliance.medinet if person.employer_id != alliance.medinet.pk else alliance.agc_bio,
            objectives=objectives,
            planned_start=datetime.date(2025, 1, 6) + datetime.timedelta(days=number),
        )
    gowning = RequirementVersionFactory(requirement__code="SOP-QA-001", requirement__title="Aseptic gowning")
    other = RequirementVersionFactory(requirement__code="SOP-MFG-900", requirement__title="Line clearance")
    for person, version, evidence in [
        (yamada, gowning, "FORM-17 Kyoto"),
        (alliance.agc_person, other, "Gowning sign-off"),
        (kyoto, gowning, ""),
        (percent, other, "50% a_b"),
    ]:
        TrainingRecordFactory(person=person, version=version, evidence=evidence, trainer=alliance.agc_supervisor)
    return alliance


def stock_results(model_admin, term: str) -> set[int]:
    """What Django's own search finds for the words the admin keeps of ``term``."""
    request = RequestFactory().get("/")
    queryset = model_admin.get_queryset(request)
    found, _duplicates = admin.ModelAdmin.get_search_results(model_admin, request, queryset, bound_search(term).term)
    return set(found.values_list("pk", flat=True))


def our_results(model_admin, term: str) -> set[int]:
    request = RequestFactory().get("/")
    found, duplicates = model_admin.get_search_results(request, model_admin.get_queryset(request), term)
    assert not duplicates
    return set(found.values_list("pk", flat=True))


@pytest.mark.parametrize("inline", [1000, 1], ids=["keys as lists", "keys by subquery"])
@pytest.mark.parametrize("model", [Exchange, Person, TrainingRecord])
def test_the_search_finds_exactly_what_djangos_search_finds(searched, model, inline, monkeypatch):
    monkeypatch.setattr("core.search.INLINE", inline)
    model_admin = admin.site._registry[model]
    assert model_admin.indexed_search
    found_something = 0
    for term in SEARCHES:
        expected = stock_results(model_admin, term)
        assert our_results(model_admin, term) == expected, term
        found_something += bool(expected) and len(expected) < model.objects.count()
    assert found_something >= 5  # the words do pick rows out, on every list


def test_a_word_may_match_the_record_and_the_next_word_its_person(searched):
    model_admin = admin.site._registry[Exchange]
    found = our_results(model_admin, "yamada kyoto")
    # Yamada's exchange: "yamada" in his name, "kyoto" in its objective. Not Sato's: its objective names Yamada, but
    # neither it nor he says Kyoto (his 京都 is another word).
    assert found == {Exchange.objects.get(person=searched.medinet_person).pk}


@pytest.mark.parametrize("model", [Exchange, Person, TrainingRecord])
def test_postgresql_asks_each_table_on_its_own_and_sqlite_and_one_table_run_djangos_search(searched, model):
    model_admin = admin.site._registry[model]
    found = search_by_index(model_admin.get_queryset(None), model_admin.search_fields, "yamada kyoto")
    if connection.vendor == "postgresql" and model is not Person:
        assert found is not None
        # No OR across the join: the condition names only the record's own table.
        assert "partners_person" not in str(found.query).partition(" WHERE ")[2]
    else:
        assert found is None


def test_a_search_field_it_cannot_split_leaves_the_search_to_django():
    assert by_table(Exchange, ["person__name", "objectives"]) == {
        "person": (Person, ["name"]),
        "": (Exchange, ["objectives"]),
    }
    assert by_table(Exchange, ["^person__name"]) is None
    assert by_table(Exchange, ["person__name__iexact"]) is None
    assert by_table(Exchange, ["training_records__evidence"]) is None  # many per exchange
    assert by_table(Exchange, ["person"]) is None
    assert by_table(Exchange, ["planned_start"]) is None


def test_a_foreign_key_to_another_field_than_the_key_leaves_the_search_to_django():
    # The first query gives related records' keys: a foreign key holding another of their fields could not use them.
    email = PropertyMock(return_value=Person._meta.get_field("email"))
    with mock.patch.object(models.ForeignKey, "target_field", new_callable=lambda: email):
        assert by_table(Exchange, ["person__name"]) is None
    assert by_table(Exchange, ["person__name"]) is not None


def test_the_admin_list_shows_what_the_search_finds(staff_client, searched):
    response = staff_client.get(reverse("admin:partners_exchange_changelist"), {"q": "gowning 山田"})
    assert response.status_code == 200
    assert [exchange.person for exchange in response.context["cl"].result_list] == [searched.agc_person]


def plan(queryset) -> str:
    """PostgreSQL's plan for ``queryset`` if it can read it through an index of its condition (a handful of rows
    would be read whole; the key's or the order's index would serve any condition)."""
    with connection.cursor() as cursor:
        for kind in ("seqscan", "indexscan", "indexonlyscan"):
            cursor.execute(f"SET LOCAL enable_{kind} = off")
        sql, params = queryset.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@postgres_only
@pytest.mark.django_db
def test_every_field_searched_by_index_is_read_through_its_trigram_index():
    searched_by_index = [
        model_admin
        for model_admin in admin.site._registry.values()
        if isinstance(model_admin, IndexedSearchMixin) and model_admin.indexed_search
    ]
    assert len(searched_by_index) == 3
    unindexed = []
    for model_admin in searched_by_index:
        for related, fields in by_table(model_admin.model, model_admin.search_fields).values():
            for name in fields:
                # The lookup as Django's search writes it: UPPER(column::text) LIKE UPPER('%word%').
                lookup = related._base_manager.filter(**{f"{name}__icontains": "yamada"}).order_by().values("pk")
                if "_trgm" not in plan(lookup):
                    unindexed.append(f"{related._meta.db_table}.{name}")
    assert unindexed == []


@postgres_only
def test_the_search_reads_the_records_own_fields_and_the_people_found_through_indexes(searched):
    model_admin = admin.site._registry[Exchange]
    found = search_by_index(model_admin.get_queryset(None), model_admin.search_fields, "yamada kyoto")
    shown = plan(found.order_by())
    assert "exchange_objectives_trgm" in shown, shown
    assert "partners_person" not in shown, shown  # the people's keys came as a list


SEARCH_MIGRATIONS = [
    "partners.migrations.0010_search_trigram_indexes",
    "training.migrations.0012_search_trigram_indexes",
]


@pytest.mark.parametrize("module", SEARCH_MIGRATIONS)
def test_the_search_migrations_leave_sqlite_alone_both_ways(module):
    """Applied or unapplied on SQLite they do nothing (no extension to ask about, no index it could build)."""
    migration = importlib.import_module(module).Migration
    assert [type(operation) for operation in migration.operations] == [RunPython]
    editor = mock.Mock()
    editor.connection.vendor = "sqlite"
    for operation in migration.operations:
        operation.code(apps, editor)
        operation.reverse_code(apps, editor)
    editor.execute.assert_not_called()


@postgres_only
def test_the_search_indexes_come_off_and_back_with_their_migrations(committed_db):
    def trigram_indexes() -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE '%%\\_trgm'")
            return {row[0] for row in cursor.fetchall()}

    built = trigram_indexes()
    assert len(built) == 7
    call_command("migrate", "partners", "0009", verbosity=0)
    assert trigram_indexes() == set()
    call_command("migrate", verbosity=0)
    assert trigram_indexes() == built


sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plan of the page")
EXCHANGES = "admin:partners_exchange_changelist"


@pytest.fixture
def paged(alliance):
    """150 exchanges, "Demo" in every one: a search that keeps them all is still few (under SORTED_BELOW_PAGES), on
    two pages."""
    add_synthetic_exchanges(alliance.partnership, 150, seed=7)
    return alliance


@pytest.mark.parametrize(
    "query",
    [
        {"q": "Demo"},
        {"q": "Demo", "p": "2"},
        {"q": "0000003"},
        {"q": "Demo", "o": "4.-5"},  # planned start up, planned end down
        {"q": "Demo", "o": "-6.1"},  # status down, then the person (ordered by the people's own order)
        {"q": "Demo", "status__exact": "completed"},
    ],
)
def test_a_searched_page_shows_the_rows_of_djangos_order(staff_client, paged, query):
    response = staff_client.get(reverse(EXCHANGES), query)
    cl = response.context["cl"]
    assert 0 < cl.result_count <= 150
    shown = [exchange.pk for exchange in cl.result_list]
    # The changelist's own queryset keeps Django's ORDER BY (which SQLite reads down the index): the rows, in order.
    page = int(query.get("p", 1))
    expected = list(cl.queryset.values_list("pk", flat=True))[(page - 1) * 100 : page * 100]
    assert shown == expected
    assert len(shown) == min(100, cl.result_count - (page - 1) * 100)


def page_plan(captured, table: str) -> str:
    """SQLite's plan of the page's query: the last SELECT of ``table``'s rows with an ORDER BY (the count has none)."""
    selects = [q["sql"] for q in captured if f'FROM "{table}"' in q["sql"] and "ORDER BY" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {selects[-1]}")
        return "\n".join(row[3] for row in cursor.fetchall())


@sqlite_only
@pytest.mark.parametrize(
    ("label", "index"),
    [("partners.exchange", "exchange_planned_start"), ("training.trainingrecord", "training_completed_on")],
)
# Ten rows found: a tenth of a 100-row page, five 2-row pages (the most that counts as few), ten 1-row pages, all of
# them on the one page "Show all" makes, or ten 1-row pages again where "Show all" may show five at most.
@pytest.mark.parametrize(
    ("per_page", "shown_all", "show_all_up_to", "read_in_order"),
    [(100, False, 200, True), (2, False, 200, True), (1, False, 200, False), (1, True, 200, True), (1, True, 5, False)],
    ids=["few found", "five pages found", "many found", "all shown", "too many to show all"],
)
def test_on_sqlite_a_search_finding_few_rows_for_its_pages_reads_the_table_and_sorts_them(
    staff_client, paged, label, index, per_page, shown_all, show_all_up_to, read_in_order, monkeypatch
):
    app_label, model_name = label.split(".")
    model_admin = admin.site._registry[apps.get_model(label)]
    monkeypatch.setattr(model_admin, "list_per_page", per_page)
    monkeypatch.setattr(model_admin, "list_max_show_all", show_all_up_to)
    person = Person.objects.get(name="Demo Person 0000003")
    for number in range(10):
        TrainingRecordFactory(person=person, completed_on=datetime.date(2025, 1, 1) + datetime.timedelta(days=number))
    with CaptureQueriesContext(connection) as captured:
        query = {"q": "0000003", **({"all": ""} if shown_all else {})}
        response = staff_client.get(reverse(f"admin:{app_label}_{model_name}_changelist"), query)
    assert response.context["cl"].result_count == 10
    assert len(response.context["cl"].result_list) == (10 if shown_all and show_all_up_to >= 10 else min(per_page, 10))
    shown = page_plan(captured, response.context["cl"].opts.db_table)
    if read_in_order:
        # The few rows found in one read of the table, then sorted: not each row fetched down the order's index.
        assert index not in shown and "TEMP B-TREE FOR ORDER BY" in shown, shown
    else:
        # More than a few pages' worth of one-row pages: the page read down the index (its rows come first).
        assert index in shown, shown
