"""`make bench` compares our admin lists with Django's stock changelist: the reference must show what ours shows."""

from __future__ import annotations

from unittest import mock

import pytest
from django.contrib import admin
from django.contrib.admin.templatetags.admin_list import result_headers
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.admin_lists import LISTS, page, stock_admin
from partners.models import Exchange
from tests.factories import ExchangeFactory, PersonFactory, TrainingRecordFactory, UserFactory


@pytest.fixture
def records(alliance):
    for number in range(3):
        person = PersonFactory(name=f"Trainee {number}", employer=alliance.medinet, home_site=alliance.shinagawa)
        ExchangeFactory(person=person, partnership=alliance.partnership, host_company=alliance.agc_bio)
        TrainingRecordFactory(person=person)
    return alliance


def headers(response) -> list[str]:
    return [str(header["text"]) for header in result_headers(response.context_data["cl"])]


def shown(response) -> list[int]:
    return [record.pk for record in response.context_data["cl"].result_list]


@pytest.mark.parametrize("model", LISTS.values(), ids=LISTS.keys())
def test_the_stock_reference_shows_the_same_columns_and_records_as_our_list(records, model):
    user = UserFactory(username="admin", is_superuser=True)
    ours, stock = page(admin.site._registry[model], user), page(stock_admin(model), user)
    assert headers(stock) == headers(ours)
    assert sorted(shown(stock)) == sorted(shown(ours))
    assert shown(stock) == sorted(shown(stock))  # ordered by primary key


def test_the_stock_reference_reads_a_page_in_the_same_queries_however_many_rows(records, alliance):
    # A query per row (the stock admin's action checkboxes name each record) would make the reference look slow.
    user = UserFactory(username="admin", is_superuser=True)
    stock = stock_admin(Exchange)
    with CaptureQueriesContext(connection) as few:
        page(stock, user)
    for number in range(5):
        person = PersonFactory(name=f"Secondee {number}", employer=alliance.medinet, home_site=alliance.shinagawa)
        ExchangeFactory(person=person, partnership=alliance.partnership, host_company=alliance.agc_bio)
    with CaptureQueriesContext(connection) as more:
        page(stock, user)
    assert len(more) == len(few)


@pytest.mark.parametrize("model", LISTS.values(), ids=LISTS.keys())
def test_the_stock_reference_draws_its_rows_with_djangos_own_code(records, model):
    user = UserFactory(username="admin", is_superuser=True)
    with mock.patch("core.changelist.column", side_effect=AssertionError("drawn by core/changelist.py")):
        assert len(shown(page(stock_admin(model), user))) == model.objects.count()


@pytest.mark.parametrize("model", LISTS.values(), ids=LISTS.keys())
def test_the_searched_stock_reference_finds_what_our_list_finds(records, model):
    user = UserFactory(username="admin", is_superuser=True)
    ours, stock = (
        page(admin.site._registry[model], user, '"Trainee 1"'),
        page(stock_admin(model, searched=True), user, '"Trainee 1"'),
    )
    assert stock.context_data["cl"].result_count == ours.context_data["cl"].result_count == 1
    assert sorted(shown(stock)) == sorted(shown(ours))
