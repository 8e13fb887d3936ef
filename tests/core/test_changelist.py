"""Every admin list draws its rows exactly as Django's own ``items_for_result`` would: the same cells, classes, links
(with the list's filters carried into them) and localized values, in both languages (``core/changelist.py``)."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.admin.templatetags.admin_list import items_for_result
from django.urls import reverse
from django.utils import translation

from demo.seed import add_synthetic_exchanges
from partners.models import Exchange
from tests.factories import ExchangeFactory, MilestoneFactory, PersonFactory


def stock_rows(response) -> list[str]:
    cl = response.context["cl"]
    return ["<tr>" + "".join(items_for_result(cl, result, None)) + "</tr>" for result in cl.result_list]


def assert_rows_as_django_draws_them(response, language: str = "en") -> None:
    assert response.status_code == 200
    with translation.override(language):
        expected = stock_rows(response)
    page = response.content.decode()
    position = 0
    for row in expected:
        found = page.find(row, position)
        assert found >= 0, f"row not drawn as Django draws it: {row}"
        position = found + len(row)


def changelist(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


@pytest.fixture
def records(alliance):
    add_synthetic_exchanges(alliance.partnership, 12, seed=3)
    # A person with no home site or Japanese name: empty cells; an inactive one: the boolean icon.
    PersonFactory(employer=alliance.medinet, home_site=None, name_ja="", active=False)
    MilestoneFactory(partnership=alliance.partnership, site=alliance.yokohama)
    return alliance


@pytest.mark.parametrize("language", ["en", "ja"])
def test_every_admin_list_draws_its_rows_as_django_does(admin_client, records, language):
    admin_client.cookies["django_language"] = language
    for model in admin.site._registry:
        response = admin_client.get(changelist(model), HTTP_ACCEPT_LANGUAGE=language)
        assert_rows_as_django_draws_them(response, language)


@pytest.mark.parametrize(
    "query",
    [
        {"status__exact": "active", "q": "Demo"},
        {"o": "2.-4"},
        {"planned_start__gte": "2025-01-01", "q": "a&b <c>"},
        {"_popup": "1", "q": "Demo"},  # a list opened from a form's lookup: each link hands its row back
    ],
)
def test_the_exchange_list_carries_its_filters_into_each_row_link_as_django_does(admin_client, records, query):
    response = admin_client.get(changelist(Exchange), query)

    assert_rows_as_django_draws_them(response)
    cl = response.context["cl"]
    if cl.result_list and cl.preserved_filters:
        assert "_changelist_filters=" in stock_rows(response)[0]


def test_the_exchange_list_shows_dates_in_the_readers_language(admin_client, records):
    day = Exchange.objects.order_by("-planned_start", "-pk").first().planned_start

    english = admin_client.get(changelist(Exchange)).content.decode()
    admin_client.cookies["django_language"] = "ja"
    japanese = admin_client.get(changelist(Exchange), HTTP_ACCEPT_LANGUAGE="ja").content.decode()

    # "5 October 2031" and "2031年10月5日" (cdmo/formats): each language's own, the same dates drawn just before.
    assert f'<td class="field-planned_start nowrap">{day.day} {day:%B %Y}</td>' in english
    assert f'<td class="field-planned_start nowrap">{day.year}年{day.month}月{day.day}日</td>' in japanese


def test_markup_in_a_record_is_shown_as_text_in_every_list_as_django_shows_it(admin_client, alliance):
    hostile = PersonFactory(
        name='<img src=x onerror=alert(1)> & "Co"',
        job_title="<script>alert(2)</script>",
        employer=alliance.medinet,
        home_site=alliance.shinagawa,
    )
    ExchangeFactory(person=hostile, partnership=alliance.partnership, host_company=alliance.agc_bio)

    for model in admin.site._registry:
        response = admin_client.get(changelist(model))
        assert_rows_as_django_draws_them(response)
        assert b"<img src=x" not in response.content
        assert b"<script>alert(2)" not in response.content
    assert "&lt;img src=x onerror=alert(1)&gt; &amp; &quot;Co&quot;" in admin_client.get(changelist(Exchange)).text
