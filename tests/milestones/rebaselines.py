"""Decisions and re-baselines for the tests of the re-baseline rule and of the pages that show it."""

from __future__ import annotations

import datetime

from django.utils import timezone

from governance.models import Decision
from milestones.models import Milestone
from milestones.services import milestone_save
from tests.factories import DecisionFactory


def decision(alliance, *, partnership=None, status="proposed", milestones=()) -> Decision:
    made = DecisionFactory(partnership=partnership or alliance.partnership, status=status)
    made.milestones.set(milestones)
    return made


def approved_decision(alliance, *, partnership=None, milestones=()) -> Decision:
    made = DecisionFactory(partnership=partnership or alliance.partnership, approved=timezone.now())
    made.milestones.set(milestones)
    return made


def rebaseline(
    milestone: Milestone, day: datetime.date, cited, reason: str = "Launch moved by the steering committee"
) -> Milestone:
    milestone.baseline_date, milestone.baseline_decision = day, cited
    milestone._change_reason = reason
    return milestone_save(milestone=milestone)
