"""Training records for every synthetic person (the dashboard's training panel reads them all), and the training
figures at 1,000 people × 50 requirements: the matrix page and the status computation."""

from __future__ import annotations

import datetime
import random
import time

from django.utils import timezone

from bench.dashboard import measure
from demo.seed import SYNTHETIC_REASON
from partners.models import Function, Person
from training.models import Curriculum, Requirement, RequirementVersion, TrainingRecord
from training.status import matrix

PEOPLE, REQUIREMENTS, RECORDS_PER_PERSON = 1_000, 50, 10
# Curricula for three functions at every site (10 requirements each, overlapping): about 3 people in 8 are in one.
CURRICULA = [
    ("Benchmark curriculum", Function.MANUFACTURING, slice(0, 10)),
    ("Benchmark QC curriculum", Function.QUALITY_CONTROL, slice(5, 15)),
    ("Benchmark QA curriculum", Function.QUALITY_ASSURANCE, slice(10, 20)),
]
# Records are drawn from the first requirements, so that some people hold a whole curriculum.
DRAWN_FROM = 20


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
        requirements = list(Requirement.objects.filter(code__startswith="BENCH-").order_by("code"))
        for name, function, covered in CURRICULA:
            curriculum, _ = Curriculum.objects.get_or_create(name=name, defaults={"function": function})
            curriculum._change_reason = SYNTHETIC_REASON
            curriculum.requirements.set(requirements[covered])
    requirements = list(Requirement.objects.filter(code__startswith="BENCH-").order_by("code"))
    synthetic = Person.objects.filter(email__startswith="synthetic-").order_by("pk")
    untrained = list(
        synthetic.exclude(training_records__requirement__code__startswith="BENCH-").values_list("pk", flat=True)
    )
    if untrained:
        versions = {v.requirement_id: v for v in RequirementVersion.objects.filter(requirement__in=requirements)}
        records = []
        today = timezone.localdate()
        for person_id in untrained:
            for requirement in rng.sample(requirements[:DRAWN_FROM], RECORDS_PER_PERSON):
                record = TrainingRecord(
                    person_id=person_id,
                    requirement=requirement,
                    version=versions[requirement.pk],
                    completed_on=today - datetime.timedelta(days=rng.randint(0, 900)),
                )
                record._change_reason = SYNTHETIC_REASON
                records.append(record)
        TrainingRecord.objects.bulk_create(records, batch_size=2000)
    return list(synthetic.values_list("pk", flat=True)[:PEOPLE])


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


# Signatures for the signatures export: the trainer's "performed" on every synthetic record, one in ten records
# changed afterwards (those signatures no longer cover their record).
def ensure_signatures() -> int:
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction

    from signatures import content
    from signatures.models import Signature

    kind = ContentType.objects.get_for_model(TrainingRecord)
    records = TrainingRecord.objects.filter(requirement__code__startswith="BENCH-").order_by("pk")
    signed = set(Signature.objects.filter(content_type=kind).values_list("object_id", flat=True))
    unsigned = [pk for pk in records.values_list("pk", flat=True) if pk not in signed]
    signer = get_user_model().objects.order_by("pk").first()
    now = timezone.now()
    for start in range(0, len(unsigned), 2000):
        chunk = unsigned[start : start + 2000]
        current = content.current(TrainingRecord, chunk)
        with transaction.atomic():
            Signature.objects.bulk_create(
                Signature(
                    content_type=kind,
                    object_id=pk,
                    signer=signer,
                    printed_name=signer.get_full_name() or signer.get_username(),
                    meaning="performed",
                    signed_at=now,
                    content_sha256=current[pk].sha256,
                    record_version=current[pk].version,
                )
                for pk in chunk
                if pk in current
            )
        changed = list(TrainingRecord.objects.filter(pk__in=chunk[::10]))
        for record in changed:
            record.evidence = "Corrected after signing"
            record._change_reason = SYNTHETIC_REASON
        TrainingRecord.objects.bulk_update_with_history(changed, ["evidence"])
    return Signature.objects.filter(content_type=kind).count()
