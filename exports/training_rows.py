"""Training exports: the records as stored, and qualification status as of a chosen date (computed)."""

from __future__ import annotations

from collections.abc import Iterator

from django.db import connection
from django.db.models import BooleanField, ExpressionWrapper, F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from exports.datasets import Column, Dataset, people_scope, signed_by
from exports.filters import Filters
from partners.models import Person
from training.models import Requirement, RequirementVersion, TrainingRecord
from training.status import Status, deciding_records, expiring_window, matrix, valid_on

C = Column
# People per status batch: two queries each, whatever the number of people.
BATCH = 500


def filter_records(rows: QuerySet, filters: Filters) -> QuerySet:
    rows = rows.filter(people_scope(filters, prefix="person__"))
    if filters.start:
        rows = rows.filter(completed_on__gte=filters.start)
    if filters.end:
        rows = rows.filter(completed_on__lte=filters.end)
    return rows


TRAINING_RECORDS = Dataset(
    "training-records",
    _("Training records"),
    TrainingRecord,
    (
        C("id", _("Record id"), "pk", "int"),
        C("person_id", _("Person id"), "person_id", "int"),
        C("person", _("Person"), "person__name"),
        C("requirement_id", _("Requirement id"), "requirement_id", "int"),
        C("requirement", _("Requirement"), "requirement__code"),
        C("version", _("Version trained on"), "version__version", "int"),
        C("completed_on", _("Completed on"), "completed_on", "date"),
        C("result", _("Result"), "result"),
        C("trainer", _("Trainer"), "trainer__name"),
        C("evaluator", _("Evaluator"), "evaluator__name"),
        C("evidence", _("Evidence reference"), "evidence"),
        C("exchange_id", _("Exchange id"), "exchange_id", "int"),
        C("signatures", _("Signatures"), signed_by("training.trainingrecord")),
    ),
    filter_records,
    frozenset({"start", "end", "partnership", "site", "company"}),
    year_date="completed_on",
)

STATUS_COLUMNS = (
    C("as_of", _("As of"), None, "date"),
    C("person_id", _("Person id"), None, "int"),
    C("person", _("Person"), None),
    C("requirement_id", _("Requirement id"), None, "int"),
    C("requirement", _("Requirement"), None),
    C("status", _("Status"), None),
    C("trained_version", _("Version trained on"), None, "int"),
    C("current_version", _("Version in effect"), None, "int"),
    C("completed_on", _("Completed on"), None, "date"),
    C("expires_on", _("Expires on"), None, "date"),
)
STATUS_FILTERS = frozenset({"as_of", "partnership", "site", "company"})


def status_people(filters: Filters) -> QuerySet:
    return Person.objects.filter(people_scope(filters), active=True).order_by("pk")


def status_rows(filters: Filters) -> Iterator[tuple]:
    day = filters.as_of or timezone.localdate()
    requirements = list(Requirement.objects.order_by("code"))
    people = status_people(filters).values_list("pk", "name")
    batch: list[tuple[int, str]] = []
    for person in people.iterator(chunk_size=BATCH):
        batch.append(person)
        if len(batch) == BATCH:
            yield from _status_batch(batch, requirements, day)
            batch = []
    yield from _status_batch(batch, requirements, day)


def _status_batch(people, requirements, day) -> Iterator[tuple]:
    if not people:
        return
    grid = matrix([pk for pk, _name in people], requirements, day)
    for pk, name in people:
        for requirement in requirements:
            q = grid[(pk, requirement.pk)]
            yield (
                day,
                pk,
                name,
                requirement.pk,
                requirement.code,
                q.status.value,
                q.trained_version,
                q.current_version,
                q.completed_on,
                q.expires_on,
            )


def status_count(filters: Filters) -> int:
    return status_people(filters).count() * Requirement.objects.count()


# The rows of status_rows as one PostgreSQL SELECT. The rule is status.py's, compiled by the ORM: the record that
# decides each pair (deciding_records) and whether it is valid (valid_on, as valid_records and so the dashboard count
# it), read in one pass over the deciding records; what is left here is naming the invalid ones (superseded when a
# newer version is in effect, else expired), the warning window, and the expiry date, which PostgreSQL's month
# arithmetic gives as add_months does (31 Jan + 1 month is the last day of February).
STATUS_SQL = """
WITH people AS ({people}),
deciding AS ({deciding}),
in_effect AS (
    SELECT DISTINCT ON (requirement_id) requirement_id, version
    FROM {version}
    WHERE effective_from <= %(day)s
    ORDER BY requirement_id, effective_from DESC
)
SELECT %(day)s::date, p.id, p.name, r.id, r.code,
    CASE
        WHEN d.id IS NULL THEN %(not_trained)s
        WHEN d.valid IS NOT TRUE AND d.trained_version < e.version THEN %(superseded)s
        WHEN d.valid IS NOT TRUE THEN %(expired)s
        WHEN (d.completed_on + make_interval(months => r.validity_months))::date - %(day)s::date <= %(window)s
            THEN %(expiring)s
        ELSE %(current)s
    END,
    d.trained_version, e.version, d.completed_on,
    (d.completed_on + make_interval(months => r.validity_months))::date
FROM people p
CROSS JOIN {requirement} r
LEFT JOIN deciding d ON d.person_id = p.id AND d.requirement_id = r.id
LEFT JOIN in_effect e ON e.requirement_id = r.id
ORDER BY p.id, r.code
"""


def bound(queryset: QuerySet) -> str:
    """A queryset's SQL with its values bound by the driver, escaped to sit among a statement's named parameters."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        return cursor.mogrify(sql, params).decode().replace("%", "%%")


def status_sql(filters: Filters) -> tuple[str, dict]:
    """Qualification status as of the day, per active person in scope × requirement: PostgreSQL's form of
    status_rows, same columns, values and order."""
    day = filters.as_of or timezone.localdate()
    deciding = (
        deciding_records(day)
        .order_by()
        .values("id", "person_id", "requirement_id", "completed_on")
        .annotate(
            trained_version=F("version__version"),
            # Built and computed once: a second set of deciding records for the valid ones cost as much again.
            valid=ExpressionWrapper(valid_on(day), output_field=BooleanField()),
        )
    )
    sql = STATUS_SQL.format(
        people=bound(status_people(filters).order_by().values("id", "name")),
        deciding=bound(deciding),
        version=connection.ops.quote_name(RequirementVersion._meta.db_table),
        requirement=connection.ops.quote_name(Requirement._meta.db_table),
    )
    params = {
        "day": day,
        "window": expiring_window(),
        **{status.name.lower(): status.value for status in Status},
    }
    return sql, params
