"""Bring the benchmark database to a given size (idempotent: only what is missing is added)."""

from __future__ import annotations

import datetime
import random

from demo.seed import SYNTHETIC_REASON, add_synthetic_exchanges, seed_illustrative, seed_reference, seed_users
from milestones.models import Milestone
from partners.models import Exchange, Partnership, Site

SYNTHETIC_MILESTONE = "Synthetic milestone {:05d}"


def ensure_size(*, exchanges: int, milestones: int) -> Partnership:
    partnership = seed_reference()
    seed_illustrative(partnership)
    seed_users("bench-password-123")
    missing = exchanges - Exchange.objects.filter(objectives="Synthetic demo record.").count()
    if missing > 0:
        add_synthetic_exchanges(partnership, missing, seed=exchanges)
    have = Milestone.objects.filter(title__startswith="Synthetic milestone").count()
    if have < milestones:
        rng = random.Random(milestones)
        sites = list(Site.objects.all())
        new = []
        for number in range(have, milestones):
            baseline = datetime.date(2024, 10, 1) + datetime.timedelta(days=rng.randint(0, 1500))
            milestone = Milestone(
                partnership=partnership,
                site=rng.choice(sites),
                title=SYNTHETIC_MILESTONE.format(number),
                baseline_date=baseline,
                forecast_date=baseline + datetime.timedelta(days=rng.choice([0, 0, 5, 12, 40])),
                status=rng.choice(Milestone.Status.open_statuses()),
            )
            milestone._change_reason = SYNTHETIC_REASON
            new.append(milestone)
        Milestone.objects.bulk_create(new, batch_size=500)
    return partnership
