from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from demo.seed import add_synthetic_exchanges
from partners.models import Exchange
from tests.factories import ExchangeFactory

ADD_URL = reverse("admin:partners_exchange_add")
LIST_URL = reverse("admin:partners_exchange_changelist")


def form_data(alliance, **overrides) -> dict:
    data = {
        "person": alliance.agc_person.pk,
        "partnership": alliance.partnership.pk,
        "kind": "secondment",
        "purpose": "operational_support",
        "function_area": "manufacturing",
        "host_company": alliance.medinet.pk,
        "host_site": alliance.shinagawa.pk,
        "host_supervisor": alliance.medinet_supervisor.pk,
        "planned_start": "2025-04-07",
        "planned_end": "2025-09-30",
        "actual_start": "",
        "actual_end": "",
        "status": "planned",
        "objectives": "Support MEDINET's CDMO batches.",
        "outcome": "",
    }
    data.update(overrides)
    return data


def test_staff_logs_an_exchange_in_the_admin(staff_client, alliance):
    response = staff_client.post(ADD_URL, form_data(alliance))
    assert response.status_code == 302
    exchange = Exchange.objects.get()
    assert exchange.direction == "AGC → MEDINET"
    assert exchange.host_site == alliance.shinagawa


def test_add_form_preselects_the_only_active_partnership(staff_client, alliance):
    response = staff_client.get(ADD_URL)
    assert response.context["adminform"].form.initial["partnership"] == alliance.partnership.pk


def test_overlapping_exchange_is_refused_with_a_message_and_nothing_saved(staff_client, alliance):
    staff_client.post(ADD_URL, form_data(alliance))
    response = staff_client.post(ADD_URL, form_data(alliance, planned_start="2025-09-01", planned_end="2025-12-19"))
    assert response.status_code == 200
    assert "Yui Takahashi is already on an exchange to MEDINET from 7 Apr 2025 to 30 Sep 2025" in response.text
    assert Exchange.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"planned_end": "2025-01-01"}, "The planned end cannot be before the planned start."),
        ({"planned_start": "not a date"}, "Enter a valid date."),
        ({"planned_start": "2025-02-30"}, "Enter a valid date."),
        ({"person": "999999"}, "Select a valid choice."),
        ({"status": "completed", "actual_start": "2025-04-07"}, "A completed exchange needs its actual end date."),
        ({"host_company": ""}, "This field is required."),
        ({"planned_start": "2024-01-01"}, "an exchange cannot start before that"),
    ],
)
def test_bad_input_in_the_admin_gives_a_clear_message_never_a_500(staff_client, alliance, overrides, message):
    response = staff_client.post(ADD_URL, form_data(alliance, **overrides))
    assert response.status_code == 200
    assert message in response.text
    assert not Exchange.objects.exists()


def test_exchange_list_shows_direction_and_filters_by_it(staff_client, alliance):
    ExchangeFactory(
        person=alliance.agc_person,
        partnership=alliance.partnership,
        host_company=alliance.medinet,
        objectives="AGC to MEDINET",
    )
    ExchangeFactory(
        person=alliance.medinet_person,
        partnership=alliance.partnership,
        host_company=alliance.agc_bio,
        objectives="MEDINET to AGC",
    )
    response = staff_client.get(LIST_URL)
    assert "AGC → MEDINET" in response.text and "MEDINET → AGC" in response.text

    filtered = staff_client.get(LIST_URL, {"direction": f"{alliance.medinet.pk}-{alliance.agc.pk}"})
    assert list(filtered.context["cl"].result_list) == list(Exchange.objects.filter(person=alliance.medinet_person))


def test_direction_filter_ignores_a_malformed_value(staff_client, alliance):
    response = staff_client.get(LIST_URL, {"direction": "1-'; drop table"})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 0


def count_list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST_URL)
    assert response.status_code == 200
    return len(queries)


def test_exchange_list_runs_the_same_queries_at_ten_rows_and_at_thousands(staff_client, alliance):
    add_synthetic_exchanges(alliance.partnership, 10, seed=1)
    count_list_queries(staff_client)  # the first request of a session also stores the session's clock
    small = count_list_queries(staff_client)
    add_synthetic_exchanges(alliance.partnership, 3000, seed=2)
    assert Exchange.objects.count() == 3010
    assert count_list_queries(staff_client) == small


def test_a_submitted_id_that_is_not_a_number_is_a_form_error_not_a_crash(staff_client, alliance):
    response = staff_client.post(ADD_URL, form_data(alliance, person=":", host_site="1 OR 1=1"))
    assert response.status_code == 200
    assert "Select a valid choice." in response.text
    assert not Exchange.objects.exists()


def test_a_japanese_member_of_staff_reads_the_overlap_in_japanese(staff_client, alliance):
    alliance.agc_person.name_ja = "高橋 結"
    alliance.agc_person._change_reason = "Japanese name"
    alliance.agc_person.save()
    staff_client.post(reverse("accounts:language"), {"language": "ja", "next": "/"})
    staff_client.post(ADD_URL, form_data(alliance))
    response = staff_client.post(ADD_URL, form_data(alliance, planned_start="2025-09-01", planned_end="2025-12-19"))
    assert "高橋 結は2025/04/07から2025/09/30までMEDINETへの人材交流中です。" in response.text
    assert Exchange.objects.count() == 1


@pytest.mark.parametrize("typed", ["2025/04/07", "2025年4月7日", "2025-04-07"])
def test_japanese_staff_can_type_dates_the_japanese_way(staff_client, alliance, typed):
    staff_client.post(reverse("accounts:language"), {"language": "ja", "next": "/"})
    response = staff_client.post(ADD_URL, form_data(alliance, planned_start=typed))
    assert response.status_code == 302
    assert Exchange.objects.get().planned_start.isoformat() == "2025-04-07"
