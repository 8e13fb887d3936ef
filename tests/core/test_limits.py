"""Every costly request has a bound: admin search, filters on the dashboard and exports, request bodies."""

from __future__ import annotations

import datetime

import pytest
from django import forms
from django.contrib import admin
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.admin import BoundedSearchMixin, bound_search
from core.forms import BootstrapFilterForm
from partners.models import Person
from tests.factories import PersonFactory

PEOPLE = reverse("admin:partners_person_changelist")


def like_conditions(queries) -> int:
    """The most LIKE conditions any one query carried."""
    return max((query["sql"].upper().count(" LIKE ") for query in queries), default=0)


# Admin search


def test_a_500_word_search_of_single_letters_is_answered_with_a_message_and_no_like(staff_client, alliance):
    with CaptureQueriesContext(connection) as queries:
        response = staff_client.get(PEOPLE, {"q": " ".join(["a"] * 500)})
    assert response.status_code == 200
    assert "Left out 500 words shorter than 2 characters." in response.text
    assert "Showing the list unsearched." in response.text
    assert like_conditions(queries) == 0
    assert alliance.agc_person.name in response.text  # the list, unsearched


def test_a_500_word_search_runs_only_the_first_words(staff_client, alliance, settings):
    PersonFactory(name="Aoi Mori", employer=alliance.medinet)
    words = ["mori"] + [f"w{n:03d}" for n in range(499)]
    with CaptureQueriesContext(connection) as queries:
        response = staff_client.get(PEOPLE, {"q": " ".join(words)})
    assert response.status_code == 200
    assert "Searched for the first 10 words; 490 more were left out." in response.text
    fields = len(admin.site._registry[Person].search_fields)
    assert 0 < like_conditions(queries) <= settings.ADMIN_SEARCH_MAX_WORDS * fields


def test_a_short_search_runs_as_typed_without_a_message(staff_client, alliance):
    response = staff_client.get(PEOPLE, {"q": "Takumi Yamada"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [alliance.medinet_person]
    assert "left out" not in response.text.lower()


def test_one_japanese_character_is_a_word_but_one_latin_letter_is_not(db):
    assert bound_search("林 a").term == "林"
    assert bound_search('"a b" x').term == '"a b"'  # a quoted phrase is one word, as the admin reads it


def test_every_admin_list_with_a_search_box_bounds_its_search():
    unbounded = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if model_admin.search_fields and not isinstance(model_admin, BoundedSearchMixin)
    ]
    assert unbounded == []


def test_autocomplete_searches_are_bounded_without_leaving_a_message(staff_client, alliance):
    url = reverse("admin:autocomplete")
    query = {"term": " ".join(["a"] * 50), "app_label": "partners", "model_name": "exchange", "field_name": "person"}
    with CaptureQueriesContext(connection) as queries:
        response = staff_client.get(url, query)
    assert response.status_code == 200
    assert like_conditions(queries) == 0
    assert "Left out" not in staff_client.get(reverse("milestones:dashboard")).text


# Filters on the dashboard and exports


@pytest.mark.parametrize(
    "query, message",
    [
        ({"start": "0001-01-01"}, "Enter a date between 1900-01-01 and 2200-12-31."),
        ({"end": "9999-12-31"}, "Enter a date between 1900-01-01 and 2200-12-31."),
        ({"start": "2000-01-01", "end": "2026-01-01"}, "Choose a window of at most 10 years."),
        ({"start": "1990-01-01"}, "(without both dates, it runs from or to a year from today)"),
        ({"end": "2199-12-31"}, "(without both dates, it runs from or to a year from today)"),
        ({"site": ["1", "2"]}, "Give at most 1 value for this filter."),
    ],
)
def test_the_dashboard_refuses_absurd_windows_and_repeated_filters(manager_client, alliance, query, message):
    response = manager_client.get(reverse("milestones:dashboard"), query)
    assert response.status_code == 400
    assert message in response.text


def test_the_dashboard_takes_a_ten_year_window(manager_client, alliance):
    today = timezone.localdate()
    start = today.replace(year=today.year - 8)
    assert manager_client.get(reverse("milestones:dashboard"), {"start": start.isoformat()}).status_code == 200


@pytest.mark.parametrize(
    "query",
    [{"as_of": "9999-12-31"}, {"start": "0001-01-01"}, {"end": "2201-01-01"}, {"company": ["1", "2", "3"]}],
)
def test_exports_refuse_absurd_dates_and_repeated_filters(auditor_client, alliance, query):
    response = auditor_client.get(reverse("exports:download", args=["qualification-status", "csv"]), query)
    assert response.status_code == 400
    assert response.content.decode().startswith("Bad filter: ")


def test_a_list_filter_takes_at_most_the_configured_number_of_values(settings):
    class ListFilter(BootstrapFilterForm):
        sites = forms.MultipleChoiceField(choices=[(str(n), str(n)) for n in range(100)], required=False)

    settings.FILTER_MAX_VALUES = 3
    ok = ListFilter(QueryDict("sites=1&sites=2&sites=3"))
    too_many = ListFilter(QueryDict("sites=1&sites=2&sites=3&sites=4"))
    assert ok.is_valid()
    assert not too_many.is_valid()
    assert too_many.errors["sites"] == ["Give at most 3 values for this filter."]


# Request bodies


def test_an_oversized_body_gets_the_400_page(client, db, settings):
    body = "username=x&password=" + "y" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = client.post(reverse("login"), body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert "Bad request" in response.text
    assert 'class="navbar' in response.text  # the app's own page, not the server's
    assert "Traceback" not in response.text


def test_too_many_fields_get_the_400_page(staff_client, settings):
    body = "&".join(f"f{n}=1" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    response = staff_client.post(
        reverse("admin:partners_person_add"), body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert "Bad request" in response.text


def test_a_window_longer_than_the_setting_follows_the_setting(manager_client, alliance, settings):
    settings.DASHBOARD_MAX_WINDOW_YEARS = 2
    response = manager_client.get(reverse("milestones:dashboard"), {"start": "2020-01-01", "end": "2023-01-01"})
    assert response.status_code == 400
    assert "Choose a window of at most 2 years." in response.text
    start = datetime.date(2020, 1, 1)
    ok = manager_client.get(reverse("milestones:dashboard"), {"start": start, "end": start.replace(year=2021)})
    assert ok.status_code == 200
