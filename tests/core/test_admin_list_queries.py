"""The busiest admin lists run the same few queries at 5 rows and at 50: each row's related records come in the
page's own query, nothing counts the whole table twice, and no date hierarchy reads every row's date. A search adds
one query on PostgreSQL where it reaches other tables: the keys of the related records (people, requirements) that
contain each word, asked once before the count and the page (core/search.py). A search that finds few rows reads the
page in the table's own order on SQLite, in the same query."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.urls import reverse

from demo.seed import add_synthetic_exchanges
from tests.factories import PersonFactory, RequirementVersionFactory, TrainingRecordFactory


def exchanges(alliance, rows: int) -> None:
    add_synthetic_exchanges(alliance.partnership, rows, seed=rows)


def people(alliance, rows: int) -> None:
    sites = [alliance.yokohama, alliance.shinagawa]
    for number in range(rows):
        site = sites[number % 2]
        PersonFactory(employer=site.company, home_site=site)


def training_records(alliance, rows: int) -> None:
    versions = RequirementVersionFactory.create_batch(3)
    for number in range(rows):
        TrainingRecordFactory(
            person=PersonFactory(employer=alliance.agc_bio),
            version=versions[number % 3],
            completed_on=datetime.date(2025, 1, 1) + datetime.timedelta(days=number),
            trainer=alliance.agc_supervisor,
            evaluator=alliance.medinet_supervisor,
        )


# The list, what makes its rows, and the queries one page of it takes, searched or not: the session and the
# user, the user's permissions, the filters' choices, one count and the page of rows with their related records.
LISTS = {
    "partners.exchange": (exchanges, 8),
    "partners.person": (people, 7),
    "training.trainingrecord": (training_records, 7),
}
# The lists whose search reaches other tables: on PostgreSQL, one query for the related records' keys.
SEARCHED_ACROSS_TABLES = {"partners.exchange", "training.trainingrecord"}


@pytest.mark.parametrize("rows", [5, 50])
@pytest.mark.parametrize("label", sorted(LISTS))
def test_admin_list_runs_the_same_queries_whatever_the_number_of_rows(
    staff_client, alliance, django_assert_num_queries, label, rows
):
    make, queries = LISTS[label]
    url = changelist(label)
    make(alliance, rows)
    staff_client.get(url)  # the first request of a session also stores the session's clock

    with django_assert_num_queries(queries):
        response = staff_client.get(url)

    assert response.status_code == 200
    assert response.context["cl"].result_count >= rows
    assert len(response.context["cl"].result_list) == response.context["cl"].result_count


# A word in none of the rows made, and one in a few of them (every synthetic person is a "Demo Person", every
# factory-made one a "Person"): a search that finds few rows, read in the table's order on SQLite, takes no query more.
SEARCHES = {"partners.exchange": "Demo", "partners.person": "Person", "training.trainingrecord": "Person"}


@pytest.mark.parametrize("finds", ["nothing", "a few rows"])
@pytest.mark.parametrize("label", sorted(LISTS))
def test_a_search_counts_what_it_found_and_not_the_whole_table_again(
    staff_client, alliance, django_assert_num_queries, label, finds
):
    make, queries = LISTS[label]
    url = changelist(label)
    make(alliance, 5)
    staff_client.get(url)
    if connection.vendor == "postgresql" and label in SEARCHED_ACROSS_TABLES:
        queries += 1
    term = "Nobody-by-this-name" if finds == "nothing" else SEARCHES[label]

    with django_assert_num_queries(queries):
        response = staff_client.get(url, {"q": term})

    assert response.status_code == 200
    cl = response.context["cl"]
    if finds == "nothing":
        assert cl.result_count == 0
    else:
        assert cl.result_count >= 5
        assert len(cl.result_list) == cl.result_count
    assert "total)" not in response.content.decode()  # "0 results (12 total)" would need a second count


def changelist(label: str) -> str:
    app_label, model_name = label.split(".")
    return reverse(f"admin:{app_label}_{model_name}_changelist")
