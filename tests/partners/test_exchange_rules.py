"""Every Exchange rule: refused by clean() with a message a person understands, and by the database."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from partners.models import Exchange
from partners.services import exchange_save, exchange_set_parties
from tests.factories import ExchangeFactory, PersonFactory, SiteFactory

D = datetime.date


def agc_to_medinet(alliance, **overrides) -> Exchange:
    values = {
        "person": alliance.agc_person,
        "partnership": alliance.partnership,
        "host_company": alliance.medinet,
        "host_site": alliance.shinagawa,
        "host_supervisor": alliance.medinet_supervisor,
        **overrides,
    }
    return ExchangeFactory.build(**values)


def errors_of(exchange: Exchange) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        exchange.full_clean()
    return caught.value.message_dict


def test_valid_exchange_derives_its_direction_through_the_parent_company(alliance):
    exchange = exchange_save(exchange=agc_to_medinet(alliance))
    assert exchange.home_party == alliance.agc  # AGC Biologics acts for its parent AGC Inc.
    assert exchange.host_party == alliance.medinet
    assert exchange.direction == "AGC → MEDINET"


def test_direction_the_other_way(alliance):
    exchange = ExchangeFactory(
        person=alliance.medinet_person,
        partnership=alliance.partnership,
        host_company=alliance.agc_bio,
        host_site=alliance.yokohama,
        host_supervisor=alliance.agc_supervisor,
    )
    assert exchange.direction == "MEDINET → AGC"


def test_planned_end_before_start_is_refused(alliance):
    errors = errors_of(agc_to_medinet(alliance, planned_start=D(2025, 3, 1), planned_end=D(2025, 2, 1)))
    assert errors["planned_end"] == ["The planned end cannot be before the planned start."]


def test_actual_end_before_actual_start_is_refused(alliance):
    exchange = agc_to_medinet(alliance, status="completed", actual_start=D(2025, 2, 1), actual_end=D(2025, 1, 20))
    assert errors_of(exchange)["actual_end"] == ["The actual end cannot be before the actual start."]


def test_actual_end_without_actual_start_is_refused(alliance):
    exchange = agc_to_medinet(alliance, status="completed", actual_end=D(2025, 3, 1))
    assert "actual_start" in errors_of(exchange)


def test_host_must_be_the_other_party(alliance):
    other_agc = PersonFactory(employer=alliance.agc)
    exchange = agc_to_medinet(
        alliance, host_company=alliance.agc_bio, host_site=alliance.yokohama, host_supervisor=other_agc
    )
    assert errors_of(exchange)["host_company"] == [
        "Yui Takahashi already works for AGC: the host must be the other party."
    ]


def test_host_company_outside_the_partnership_is_refused(alliance):
    outsider_site = SiteFactory()
    exchange = agc_to_medinet(
        alliance, host_company=outsider_site.company, host_site=outsider_site, host_supervisor=None
    )
    assert "is not a party to" in errors_of(exchange)["host_company"][0]


def test_person_whose_employer_is_not_a_party_is_refused(alliance):
    outsider = PersonFactory()
    assert "which is not a party to" in errors_of(agc_to_medinet(alliance, person=outsider))["person"][0]


def test_host_site_must_belong_to_the_host_company(alliance):
    errors = errors_of(agc_to_medinet(alliance, host_site=alliance.yokohama))
    assert errors["host_site"] == [
        "Yokohama Technical Center (AGC Biologics) is not a site of the host company (MEDINET Co., Ltd.)."
    ]


def test_host_supervisor_must_work_for_the_host_party(alliance):
    errors = errors_of(agc_to_medinet(alliance, host_supervisor=alliance.agc_supervisor))
    assert errors["host_supervisor"] == ["The host supervisor must work for the host party, MEDINET."]


def test_overlapping_exchanges_of_one_person_are_refused(alliance):
    ExchangeFactory(**_fields(agc_to_medinet(alliance)))
    second = agc_to_medinet(alliance, planned_start=D(2025, 3, 1), planned_end=D(2025, 5, 30))
    assert errors_of(second)["__all__"] == [
        "Yui Takahashi is already on an exchange to MEDINET from 6 Jan 2025 to 28 Mar 2025; "
        "exchanges of one person cannot overlap."
    ]


def test_cancelled_exchanges_do_not_block_new_ones(alliance):
    ExchangeFactory(**_fields(agc_to_medinet(alliance, status="cancelled")))
    agc_to_medinet(alliance).full_clean()


def test_completed_exchange_needs_an_actual_end(alliance):
    exchange = agc_to_medinet(alliance, status="completed", actual_start=D(2025, 1, 6))
    assert errors_of(exchange)["actual_end"] == ["A completed exchange needs its actual end date."]


def test_active_exchange_needs_an_actual_start(alliance):
    assert errors_of(agc_to_medinet(alliance, status="active"))["actual_start"] == [
        "An active exchange needs its actual start date."
    ]


def test_exchange_cannot_start_before_the_partnership_was_signed(alliance):
    exchange = agc_to_medinet(alliance, planned_start=D(2024, 9, 10), planned_end=D(2024, 12, 20))
    assert errors_of(exchange)["planned_start"] == [
        "The partnership was signed on 11 Sep 2024: an exchange cannot start before that."
    ]


def test_exchange_on_the_signing_day_is_allowed(alliance):
    agc_to_medinet(alliance, planned_start=D(2024, 9, 11), planned_end=D(2024, 12, 20)).full_clean()


def test_a_person_cannot_supervise_their_own_exchange(alliance):
    errors = errors_of(agc_to_medinet(alliance, host_supervisor=alliance.agc_person))
    assert errors["host_supervisor"][0] == "A person cannot supervise their own exchange."


def _fields(exchange: Exchange) -> dict:
    return {
        field.name: getattr(exchange, field.name)
        for field in Exchange._meta.concrete_fields
        if field.editable and field.name != "id"
    }


# The database holds the same rules when clean() is bypassed.


@pytest.mark.parametrize(
    ("overrides", "constraint"),
    [
        ({"planned_end": D(2025, 1, 1)}, "exchange_planned_end_after_start"),
        ({"status": "completed"}, "exchange_completed_has_end"),
        ({"status": "active"}, "exchange_active_has_start"),
        ({"actual_end": D(2025, 1, 10)}, "exchange_actual_end_after_start"),
        ({"status": "planned", "actual_start": D(2025, 1, 6)}, "exchange_planned_not_started"),
    ],
)
def test_database_refuses_invalid_exchange_rows(alliance, overrides, constraint):
    exchange = agc_to_medinet(alliance)
    exchange.full_clean()
    exchange_set_parties(exchange=exchange)
    for name, value in overrides.items():
        setattr(exchange, name, value)
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        exchange.save()
    if connection.vendor == "postgresql":
        assert constraint in str(caught.value)


def test_database_refuses_an_exchange_within_one_party(alliance):
    exchange = agc_to_medinet(alliance)
    exchange.full_clean()
    exchange_set_parties(exchange=exchange)
    exchange.host_party = exchange.home_party
    with pytest.raises(IntegrityError), transaction.atomic():
        exchange.save()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="exclusion constraints exist only on PostgreSQL")
def test_postgresql_refuses_overlapping_rows_written_past_clean(alliance):
    first = exchange_save(exchange=agc_to_medinet(alliance))
    second = agc_to_medinet(alliance, planned_start=D(2025, 2, 1), planned_end=D(2025, 4, 1))
    second.home_party, second.host_party = first.home_party, first.host_party
    with pytest.raises(IntegrityError, match="exchange_no_overlap_per_person"), transaction.atomic():
        second.save()


# Overlap, day by day. An exchange holds the person from its first day to its last, both included: actual
# dates where known, planned ones otherwise. So one ending on day D and the next starting on D overlap;
# the next may start on D+1. clean() and PostgreSQL's exclusion constraint (a '[]' daterange) hold the same
# rule, and each case below is checked against both.

FIRST = {"planned_start": D(2025, 1, 6), "planned_end": D(2025, 3, 28)}
BACK_LATE = {"status": "completed", "actual_start": D(2025, 1, 6), "actual_end": D(2025, 4, 30)}


def completed(starts: datetime.date, ends: datetime.date) -> dict:
    return {"status": "completed", "actual_start": starts, "actual_end": ends}


OVERLAP_CASES = {
    # id: (the person's first exchange, the second one, do they overlap?)
    "second starts on the first's last day": (
        FIRST,
        {"planned_start": D(2025, 3, 28), "planned_end": D(2025, 6, 30)},
        True,
    ),
    "second starts the day after the first's last day": (
        FIRST,
        {"planned_start": D(2025, 3, 29), "planned_end": D(2025, 6, 30)},
        False,
    ),
    "second ends on the first's first day": (
        FIRST,
        {"planned_start": D(2024, 10, 1), "planned_end": D(2025, 1, 6)},
        True,
    ),
    "second ends the day before the first's first day": (
        FIRST,
        {"planned_start": D(2024, 10, 1), "planned_end": D(2025, 1, 5)},
        False,
    ),
    "the first came back late, on the second's planned start": (
        {**FIRST, **BACK_LATE},
        {"planned_start": D(2025, 4, 30), "planned_end": D(2025, 6, 30)},
        True,
    ),
    "the first came back late, the day before the second's planned start": (
        {**FIRST, **BACK_LATE},
        {"planned_start": D(2025, 5, 1), "planned_end": D(2025, 6, 30)},
        False,
    ),
    "the second actually started early, on the first's last day, though planned later": (
        FIRST,
        {"planned_start": D(2025, 4, 7), "planned_end": D(2025, 6, 27), **completed(D(2025, 3, 28), D(2025, 6, 27))},
        True,
    ),
    "the second actually started late, after the first, though planned to overlap it": (
        FIRST,
        {"planned_start": D(2025, 3, 3), "planned_end": D(2025, 5, 30), **completed(D(2025, 3, 29), D(2025, 5, 30))},
        False,
    ),
}


@pytest.mark.parametrize(("first", "second", "overlaps"), OVERLAP_CASES.values(), ids=OVERLAP_CASES.keys())
def test_clean_refuses_exactly_the_exchanges_that_share_a_day(alliance, first, second, overlaps):
    ExchangeFactory(**_fields(agc_to_medinet(alliance, **first)))
    exchange = agc_to_medinet(alliance, **second)
    if overlaps:
        with pytest.raises(ValidationError) as caught:
            exchange.full_clean()
        assert [error.code for error in caught.value.error_dict["__all__"]] == ["overlap"]
    else:
        exchange.full_clean()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite has no exclusion constraint; clean() holds the rule there"
)
@pytest.mark.parametrize(("first", "second", "overlaps"), OVERLAP_CASES.values(), ids=OVERLAP_CASES.keys())
def test_postgresql_refuses_exactly_the_rows_that_share_a_day_when_clean_is_bypassed(alliance, first, second, overlaps):
    ExchangeFactory(**_fields(agc_to_medinet(alliance, **first)))
    exchange = agc_to_medinet(alliance, **second)
    exchange.home_party, exchange.host_party = alliance.agc, alliance.medinet  # what exchange_save() would have set
    if overlaps:
        with pytest.raises(IntegrityError, match="exchange_no_overlap_per_person"), transaction.atomic():
            exchange.save()
    else:
        exchange.save()
        assert Exchange.objects.filter(person=alliance.agc_person).count() == 2


def test_clean_reports_every_broken_rule_at_once_with_its_code(alliance):
    exchange = agc_to_medinet(
        alliance, planned_end=D(2024, 12, 2), status="completed", host_supervisor=alliance.agc_person
    )
    with pytest.raises(ValidationError) as caught:
        exchange.clean()
    codes = {field: [error.code for error in errors] for field, errors in caught.value.error_dict.items()}
    assert codes == {
        "planned_end": ["planned_end_before_start"],
        "actual_end": ["completed_without_end"],
        "host_supervisor": ["supervisor_self"],
    }


def test_clean_leaves_the_exchange_as_it_was_and_the_service_fixes_its_direction(alliance):
    exchange = agc_to_medinet(alliance)
    before = {field.attname: getattr(exchange, field.attname) for field in Exchange._meta.concrete_fields}
    exchange.full_clean()
    assert {field.attname: getattr(exchange, field.attname) for field in Exchange._meta.concrete_fields} == before
    assert (exchange.home_party_id, exchange.host_party_id) == (None, None)
    exchange_save(exchange=exchange)
    assert Exchange.objects.get(pk=exchange.pk).direction == "AGC → MEDINET"
