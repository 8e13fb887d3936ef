"""Training figures at 1,000 people × 50 requirements: the matrix page, the status computation, the dashboard."""

from __future__ import annotations

import datetime
import random
import time

from django.utils import timezone

from bench.dashboard import measure
from demo.seed import SYNTHETIC_REASON
from partners.models import Person
from training.models import Curriculum, Requirement, RequirementVersion, TrainingRecord
from training.status import matrix

PEOPLE, REQUIREMENTS, RECORDS_PER_PERSON = 1_000, 50, 20


def ensure_training() -> list[int]:
    rng = random.Random(50)
    requirements = list(Requirement.objects.filter(code__startswith="BENCH-"))
    if len(requirements) < REQUIREMENTS:
        new = []
        for n in range(len(requirements), REQUIREMENTS):
            requirement = Requirement(
                code=f"BENCH-{n:03d}", title=f"Benchmark SOP {n}", validity_months=rng.choice([12, 24, None])
            )
            requirement._change_reason = SYNTHETIC_REASON
            new.append(requirement)
        Requirement.objects.bulk_create(new)
        versions = []
        for requirement in Requirement.objects.filter(code__startswith="BENCH-"):
            version = RequirementVersion(requirement=requirement, version=1, effective_from=datetime.date(2024, 1, 1))
            version._change_reason = SYNTHETIC_REASON
            versions.append(version)
        RequirementVersion.objects.bulk_create(versions)
        requirements = list(Requirement.objects.filter(code__startswith="BENCH-"))
        curriculum, _ = Curriculum.objects.get_or_create(
            name="Benchmark curriculum", defaults={"function": "manufacturing"}
        )
        curriculum._change_reason = SYNTHETIC_REASON
        curriculum.requirements.set(requirements[:10])
    people = list(
        Person.objects.filter(email__startswith="synthetic-").order_by("pk").values_list("pk", flat=True)[:PEOPLE]
    )
    if not TrainingRecord.objects.filter(requirement__code__startswith="BENCH-").exists():
        versions = {v.requirement_id: v for v in RequirementVersion.objects.filter(requirement__in=requirements)}
        records = []
        today = timezone.localdate()
        for person_id in people:
            for requirement in rng.sample(requirements, RECORDS_PER_PERSON):
                record = TrainingRecord(
                    person_id=person_id,
                    requirement=requirement,
                    version=versions[requirement.pk],
                    completed_on=today - datetime.timedelta(days=rng.randint(0, 900)),
                )
                record._change_reason = SYNTHETIC_REASON
                records.append(record)
        TrainingRecord.objects.bulk_create(records, batch_size=2000)
    return people


def report() -> list[str]:
    people = ensure_training()
    requirements = list(Requirement.objects.filter(code__startswith="BENCH-"))
    started = time.perf_counter()
    grid = matrix(people, requirements, timezone.localdate())
    seconds = time.perf_counter() - started
    page = measure("/training/matrix/")
    return [
        f"training status for {len(people):,} people × {len(requirements)} requirements ({len(grid):,} cells): "
        f"{seconds:.2f} s in 2 queries",
        f"training matrix page (100 people per page): {page['median_s'] * 1000:.0f} ms, {page['queries']} queries",
    ]
