from __future__ import annotations

import datetime

import pytest

from milestones.models import Milestone
from tests.factories import MilestoneFactory


@pytest.fixture
def launch(alliance) -> Milestone:
    """The Yokohama launch, on its first baseline (1 October 2026)."""
    return MilestoneFactory(
        partnership=alliance.partnership,
        title="Yokohama launch",
        baseline_date=datetime.date(2026, 10, 1),
        status="in_progress",
    )
