"""The rules every date-filtered page shares (dashboard and exports), written once in core/forms.py."""

from __future__ import annotations

import pytest
from django.urls import reverse

from exports.forms import FilterForm
from milestones.forms import DashboardFilters

END_BEFORE_START = "The end of the date range cannot be before its start."


@pytest.mark.parametrize("form_class", [DashboardFilters, FilterForm])
def test_a_window_ending_before_it_starts_is_refused_on_its_end(db, form_class):
    form = form_class({"start": "2026-03-02", "end": "2026-03-01"})
    assert not form.is_valid()
    assert form.has_error("end", "end_before_start")
    assert form.errors["end"] == [END_BEFORE_START]


@pytest.mark.parametrize("form_class", [DashboardFilters, FilterForm])
def test_a_window_of_one_day_is_accepted(db, form_class):
    assert form_class({"start": "2026-03-01", "end": "2026-03-01"}).is_valid()


def test_both_pages_say_why_a_reversed_window_is_refused(manager_client, auditor_client, db):
    reversed_window = {"start": "2026-03-02", "end": "2026-03-01"}
    dashboard = manager_client.get(reverse("milestones:dashboard"), reversed_window)
    export = auditor_client.get(reverse("exports:index"), reversed_window)
    assert dashboard.status_code == 400 and END_BEFORE_START in dashboard.text
    assert END_BEFORE_START in export.text
