"""The people and requirements that the spreadsheets under tests/fixtures/imports/ name, and the mixed training data
of tests/training/mixed.py."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest

from partners.models import Person
from tests.factories import PersonFactory
from tests.training.mixed import board, board_kept, mixed, today  # noqa: F401 (fixtures)
from training.models import Requirement, RequirementVersion


@dataclass
class Trainees:
    yui: Person
    takumi: Person
    mio: Person
    gowning: Requirement
    aseptic: Requirement


@pytest.fixture
def trainees(alliance) -> Trainees:
    """People's emails are stored in lower case; some files write them with capitals, as people type them."""
    gowning = Requirement.objects.create(code="SOP-GOWN-B", title="Grade B gowning", validity_months=12)
    RequirementVersion.objects.create(requirement=gowning, version=1, effective_from=datetime.date(2024, 1, 1))
    RequirementVersion.objects.create(requirement=gowning, version=2, effective_from=datetime.date(2025, 6, 1))
    aseptic = Requirement.objects.create(code="SOP-ASEPTIC", title="Aseptic processing", needs_evaluation=True)
    RequirementVersion.objects.create(requirement=aseptic, version=1, effective_from=datetime.date(2024, 1, 1))
    return Trainees(
        yui=PersonFactory(name="Yui Takahashi", email="Yui.Takahashi@agc-biologics.example", employer=alliance.agc_bio),
        takumi=PersonFactory(name="Takumi Yamada", email="Takumi.Yamada@medinet.example", employer=alliance.medinet),
        mio=PersonFactory(name="Mio Hayashi", email="Mio.Hayashi@medinet.example", employer=alliance.medinet),
        gowning=gowning,
        aseptic=aseptic,
    )
