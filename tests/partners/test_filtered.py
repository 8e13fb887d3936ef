"""The one filters → rows verb that the dashboard, the exports (and later the API) share."""

from __future__ import annotations

import datetime

import pytest

from milestones.models import Milestone
from partners.models import Exchange
from tests.factories import ExchangeFactory, MilestoneFactory, PartnershipFactory, PersonFactory, SiteFactory

D = datetime.date


@pytest.fixture
def scene(alliance):
    """Two exchanges a year apart, one each way, and milestones at each party's site and in another partnership."""
    to_medinet = ExchangeFactory(
        person=alliance.agc_person,
        partnership=alliance.partnership,
        host_company=alliance.medinet,
        host_site=alliance.shinagawa,
        planned_start=D(2025, 1, 6),
        planned_end=D(2025, 3, 28),
    )
    to_agc = ExchangeFactory(
        person=alliance.medinet_person,
        partnership=alliance.partnership,
        host_company=alliance.agc_bio,
        host_site=alliance.yokohama,
        planned_start=D(2026, 1, 5),
        planned_end=D(2026, 3, 27),
    )
    at_yokohama = MilestoneFactory(
        partnership=alliance.partnership, site=alliance.yokohama, baseline_date=D(2025, 2, 1)
    )
    at_shinagawa = MilestoneFactory(
        partnership=alliance.partnership, site=alliance.shinagawa, baseline_date=D(2026, 2, 1)
    )
    other = PartnershipFactory(parties=[alliance.agc, alliance.medinet], name="Another partnership")
    elsewhere = MilestoneFactory(partnership=other, site=alliance.yokohama, baseline_date=D(2026, 2, 1))
    return to_medinet, to_agc, at_yokohama, at_shinagawa, elsewhere


def test_no_filters_keep_every_row(alliance, scene):
    assert Exchange.objects.filtered().count() == 2
    assert Milestone.objects.filtered().count() == 3


def test_exchanges_at_a_site_are_those_hosted_there_or_of_people_based_there(alliance, scene):
    to_medinet, to_agc, *_ = scene
    visitor = PersonFactory(employer=alliance.agc_bio, home_site=SiteFactory(company=alliance.agc_bio))
    ExchangeFactory(
        person=visitor,
        partnership=alliance.partnership,
        host_company=alliance.medinet,
        planned_start=D(2027, 1, 4),
        planned_end=D(2027, 2, 26),
    )
    assert set(Exchange.objects.filtered(site=alliance.shinagawa)) == {to_medinet, to_agc}


def test_exchanges_of_a_company_are_those_it_hosts_or_whose_person_it_employs(alliance, scene):
    to_medinet, to_agc, *_ = scene
    assert set(Exchange.objects.filtered(company=alliance.agc_bio)) == {to_medinet, to_agc}
    assert set(Exchange.objects.filtered(company=alliance.agc)) == set()


def test_exchanges_within_a_window_are_those_whose_period_meets_it(alliance, scene):
    to_medinet, to_agc, *_ = scene
    assert list(Exchange.objects.filtered(start=D(2025, 3, 28), end=D(2025, 12, 31))) == [to_medinet]
    assert list(Exchange.objects.filtered(start=D(2025, 3, 29))) == [to_agc]
    assert list(Exchange.objects.filtered(end=D(2025, 1, 6))) == [to_medinet]


def test_milestones_filter_by_partnership_site_company_and_window(alliance, scene):
    *_, at_yokohama, at_shinagawa, elsewhere = scene
    assert set(Milestone.objects.filtered(partnership=alliance.partnership)) == {at_yokohama, at_shinagawa}
    assert set(Milestone.objects.filtered(site=alliance.yokohama)) == {at_yokohama, elsewhere}
    assert set(Milestone.objects.filtered(company=alliance.medinet)) == {at_shinagawa}
    assert set(Milestone.objects.filtered(start=D(2026, 1, 1), end=D(2026, 12, 31))) == {at_shinagawa, elsewhere}
    both = Milestone.objects.filtered(partnership=alliance.partnership, start=D(2026, 1, 1))
    assert list(both) == [at_shinagawa]
