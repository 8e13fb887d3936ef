"""Everything a sheet's rows refer to (people, requirements, versions, existing records), fetched in bulk."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterator

from django.db.models.functions import Lower, Upper

from partners.models import Person
from training.models import Requirement, RequirementVersion, TrainingRecord

BATCH = 5_000  # values per IN (…) lookup: within every database's parameter limit


def chunks(values: list, size: int = BATCH) -> Iterator[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


class Lookups:
    """Everything the rows refer to, fetched in bulk before any row is checked."""

    def __init__(self, rows: list[dict[str, str]]):
        emails = {
            row[c].lower() for row in rows for c in ("person_email", "trainer_email", "evaluator_email") if row[c]
        }
        codes = {row["requirement"].upper() for row in rows if row["requirement"]}
        self.people: dict[str, Person] = {}
        for batch in chunks(sorted(emails)):
            for person in Person.objects.annotate(email_key=Lower("email")).filter(email_key__in=batch):
                self.people[person.email_key] = person
        self.requirements: dict[str, list[Requirement]] = defaultdict(list)
        for batch in chunks(sorted(codes)):
            for requirement in Requirement.objects.annotate(code_key=Upper("code")).filter(code_key__in=batch):
                self.requirements[requirement.code_key].append(requirement)
        requirement_ids = [r.pk for found in self.requirements.values() for r in found]
        self.versions: dict[tuple[int, int], RequirementVersion] = {}
        self.version_numbers: dict[int, list[int]] = defaultdict(list)
        for batch in chunks(requirement_ids):
            for version in RequirementVersion.objects.filter(requirement_id__in=batch).order_by("version"):
                self.versions[(version.requirement_id, version.version)] = version
                self.version_numbers[version.requirement_id].append(version.version)
        self.existing: dict[tuple[int, int, datetime.date], list[TrainingRecord]] = defaultdict(list)
        person_ids = sorted({p.pk for p in self.people.values()})
        for batch in chunks(person_ids):
            records = TrainingRecord.objects.filter(person_id__in=batch, requirement_id__in=requirement_ids)
            related = ("person", "requirement", "version", "trainer", "evaluator", "exchange")
            for record in records.select_related(*related).order_by("pk"):
                self.existing[(record.person_id, record.requirement_id, record.completed_on)].append(record)

    def requirement(self, code: str) -> Requirement | None:
        found = self.requirements.get(code.upper(), [])
        exact = [r for r in found if r.code == code]
        if exact or len(found) == 1:
            return (exact or found)[0]
        return None
