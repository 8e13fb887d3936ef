from __future__ import annotations

import datetime

import pytest

from tests.factories import CompanyFactory, PartnershipFactory, PersonFactory

NOW = datetime.datetime(2026, 2, 12, 9, 30, tzinfo=datetime.UTC)


@pytest.fixture
def outsider(alliance):
    """Someone who works for neither party."""
    return PersonFactory(name="Olivia Outsider", employer=CompanyFactory(name="Elsewhere KK"))


@pytest.fixture
def other_partnership(alliance):
    return PartnershipFactory(parties=[alliance.agc, CompanyFactory(name="Third party")])
