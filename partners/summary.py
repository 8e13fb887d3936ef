"""The exchange summary: per partnership, direction (home and host party), function and month, how many exchanges
begin and end, kept so the dashboard counts exchanges without reading every one of them.

One exchange adds to two rows of ``ExchangeMonth``: the month its period starts (``PERIOD_START``, actual dates where
known, planned otherwise) counts it among ``exchanges``, and among ``planned`` or ``completed`` by its status; not
cancelled, it counts there as ``starting`` and in the month its period ends (``PERIOD_END``) as ``ending``. The people
on exchange during a span of whole months are then those starting up to its last month less those ending before its
first month (every quarter the headcount chart shows is whole months, in whichever year's quarters); the counts by
status are the sums of their rows.

Every exchange written changes its rows in the writer's transaction: a save takes away what it counted as it was and
adds what it counts now (a move to other dates, parties, function or partnership, a cancellation), a delete takes it
away, a bulk create adds the new rows; a bulk update (which does not say what the rows were) rewrites the summary
whole. Each write first locks the partnerships it touches (their rows in the partnerships table) and only then reads
what the exchange was: two writes of one exchange, or of two exchanges counted in one row, then change the summary one
after the other, the later one reading what the earlier committed, instead of both taking away the same old value or
both inserting the same new row. ``rebuild_exchange_summary`` rewrites it whole (under the same locks) or checks it.
Who is on exchange on a day is counted from when people actually left and came back (``on_exchange``): each
exchange not cancelled that has begun adds ``began`` to its month and its day (``ExchangeDay``, per direction), and once
back, ``back`` to the month and day it ended. On a day, those on exchange are those who began by that day less those
back before it: the months before the day's month, then the day's own month day by day, so the count reads a row per
month and at most 31 days' rows, whatever the number of exchanges.
``tests/partners/test_exchange_summary.py`` holds the dashboard's figures from the summary to those from the records.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, DateField, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncMonth

from partners.models import Exchange, Partnership
from partners.models.exchange import PERIOD_END, PERIOD_START
from partners.models.summary import ExchangeDay, ExchangeMonth

# What the summary reads of an exchange.
FIELDS = (
    "partnership_id",
    "home_party_id",
    "host_party_id",
    "function_area",
    "status",
    "planned_start",
    "planned_end",
    "actual_start",
    "actual_end",
)
GROUP = ("partnership_id", "home_party_id", "host_party_id", "function_area")
DIRECTION = ("partnership_id", "home_party_id", "host_party_id")
COUNTS = ("exchanges", "planned", "completed", "starting", "ending", "began", "back")
# Each table of the summary: the fields that name a row, and what it counts.
TABLES = {
    ExchangeMonth: ((*GROUP, "month"), COUNTS),
    ExchangeDay: ((*DIRECTION, "day"), ("began", "back")),
}
BATCH = 5_000

Key = tuple  # the table, then the values that name its row (TABLES)


def status_rows(partnership: Partnership | None) -> list[dict]:
    """Planned and completed exchanges per direction (``milestones.dashboard.status_rows`` from the summary)."""
    return list(
        _rows(partnership)
        .values("home_party", "host_party")
        .annotate(exchanges=Sum("exchanges"), planned=Sum("planned"), completed=Sum("completed"))
        .filter(exchanges__gt=0)
        .order_by("home_party", "host_party")
    )


def headcount_rows(
    partnership: Partnership | None, spans: dict[str, tuple[datetime.date, datetime.date]]
) -> list[dict]:
    """People on exchange during each span of whole months (key → first and last day), per direction and function
    (``milestones.dashboard.headcount_rows`` from the summary): those starting by the span's last month less those
    ending before its first."""
    counts = {
        key: Coalesce(Sum("starting", filter=Q(month__lte=last)), 0)
        - Coalesce(Sum("ending", filter=Q(month__lt=first)), 0)
        for key, (first, last) in spans.items()
    }
    return list(
        _rows(partnership)
        .values("home_party", "host_party", "function_area")
        .annotate(summary_exchanges=Sum("starting"), **counts)
        .filter(summary_exchanges__gt=0)
        .order_by("home_party", "host_party", "function_area")
    )


def active_rows(partnership: Partnership | None, day: datetime.date) -> dict[tuple[int, int], int]:
    """(home party, host party) → people on exchange on ``day`` (``milestones.dashboard.active_by_direction`` from the
    summary): those who began before the day's month less those back before it, plus, in the day's month, those who
    began by the day less those back before it. One query over the months and the days of one month."""
    first = first_of_month(day)
    months = (
        _rows(partnership)
        .filter(month__lt=first)
        .values("home_party", "host_party")
        .annotate(on=Sum("began") - Sum("back"))
        .order_by()
    )
    days = _rows(partnership, ExchangeDay).filter(day__gte=first, day__lte=day)
    days = (
        days.values("home_party", "host_party")
        .annotate(on=Sum("began") - Coalesce(Sum("back", filter=Q(day__lt=day)), 0))
        .order_by()
    )
    on: Counter = Counter()
    for row in months.union(days, all=True):
        on[(row["home_party"], row["host_party"])] += row["on"]
    return {direction: n for direction, n in on.items() if n}


def _rows(partnership: Partnership | None, model=ExchangeMonth) -> QuerySet:
    rows = model.objects.all()
    return rows.filter(partnership=partnership) if partnership else rows


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def contribution(row: dict) -> dict[Key, Counter]:
    """What one exchange (its ``FIELDS``) adds to the summary's rows: ``Exchange.starts``/``ends``'s period rule."""
    starts = row["actual_start"] or row["planned_start"]
    ends = row["actual_end"] or max(row["planned_end"], starts)
    group = tuple(row[name] for name in GROUP)
    direction = tuple(row[name] for name in DIRECTION)
    counted = row["status"] != Exchange.Status.CANCELLED
    first = Counter(
        exchanges=1,
        planned=row["status"] == Exchange.Status.PLANNED,
        completed=row["status"] == Exchange.Status.COMPLETED,
        starting=counted,
    )
    result = {(ExchangeMonth, *group, first_of_month(starts)): first}
    if counted:
        result.setdefault((ExchangeMonth, *group, first_of_month(ends)), Counter())["ending"] += 1
    # Who is on exchange: ``on_exchange``'s rule, from the day they actually left to the day they came back.
    for name, day in (("began", row["actual_start"]), ("back", row["actual_end"])):
        if counted and row["actual_start"] and day:
            result.setdefault((ExchangeMonth, *group, first_of_month(day)), Counter())[name] += 1
            result.setdefault((ExchangeDay, *direction, day), Counter())[name] += 1
    return result


def add(total: dict[Key, Counter], rows: Iterable[dict], sign: int = 1) -> dict[Key, Counter]:
    for row in rows:
        for key, counts in contribution(row).items():
            into = total.setdefault(key, Counter())
            for name, n in counts.items():
                into[name] += sign * n
    return total


def apply(changes: dict[Key, Counter]) -> None:
    """Add the counts to their rows, creating the rows that are missing (under the partnership's lock, which every
    writer holds, so no other transaction creates the same row meanwhile)."""
    missing: dict = {model: [] for model in TABLES}
    for (model, *values), counts in changes.items():
        counts = {name: n for name, n in counts.items() if n}
        if not counts:
            continue
        where = dict(zip(TABLES[model][0], values, strict=True))
        if not model.objects.filter(**where).update(**{name: F(name) + n for name, n in counts.items()}):
            missing[model].append(model(**where, **counts))
    for model, rows in missing.items():
        model.objects.bulk_create(rows)


def lock(partnership_ids: Iterable[int | None]) -> None:
    """Lock these partnerships' rows, in order, for the rest of the writer's transaction."""
    ids = sorted({pk for pk in partnership_ids if pk is not None})
    list(Partnership.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))


def current(ids: Iterable[int]) -> list[dict]:
    return list(Exchange.objects.filter(pk__in=list(ids)).values(*FIELDS))


def remember(sender, instance, **_kwargs) -> None:
    """pre_save and pre_delete of an exchange: lock its partnerships (where it was and where it goes), then read what it
    was, as the last write committed it."""
    was = None
    if instance.pk is not None:
        before = Exchange.objects.filter(pk=instance.pk).values_list("partnership_id", flat=True).first()
        lock([instance.partnership_id, before])
        was = next(iter(current([instance.pk])), None)
    else:
        lock([instance.partnership_id])
    instance._summary_was = was


def saved(sender, instance, **_kwargs) -> None:
    """post_save of an exchange: take away what it counted as it was, add what it counts now."""
    was = getattr(instance, "_summary_was", None)
    changes = add({}, current([instance.pk]))
    apply(add(changes, [was] if was else [], sign=-1))


def deleted(sender, instance, **_kwargs) -> None:
    was = getattr(instance, "_summary_was", None)
    if was:
        apply(add({}, [was], sign=-1))


def bulk_written(sender, objs=None, fields=None, **_kwargs) -> None:
    """An audited bulk write of exchanges: created ones are added; an update, whose rows' previous values are gone,
    rewrites the summary whole."""
    if sender is not Exchange:
        return
    if fields is None and objs is not None:
        ids = [obj.pk for obj in objs]
        lock({obj.partnership_id for obj in objs})
        for start in range(0, len(ids), BATCH):
            apply(add({}, current(ids[start : start + BATCH])))
    else:
        rebuild()


def computed(exchanges: QuerySet[Exchange] | None = None) -> dict[Key, Counter]:
    """The summary's rows as the exchanges give them, in two grouped queries."""
    exchanges = Exchange.objects.all() if exchanges is None else exchanges
    month = DateField()
    rows: dict[Key, Counter] = {}
    starts = (
        exchanges.annotate(summary_month=TruncMonth(PERIOD_START, output_field=month))
        .values(*GROUP, "summary_month")
        .annotate(
            n_exchanges=Count("pk"),
            n_planned=Count("pk", filter=Q(status=Exchange.Status.PLANNED)),
            n_completed=Count("pk", filter=Q(status=Exchange.Status.COMPLETED)),
            n_starting=Count("pk", filter=~Q(status=Exchange.Status.CANCELLED)),
        )
        .order_by()
    )
    for row in starts:
        rows[(ExchangeMonth, *(row[name] for name in GROUP), row["summary_month"])] = Counter(
            {name: row[f"n_{name}"] for name in ("exchanges", "planned", "completed", "starting")}
        )
    ends = (
        exchanges.not_cancelled()
        .annotate(summary_month=TruncMonth(PERIOD_END, output_field=month))
        .values(*GROUP, "summary_month")
        .annotate(n_ending=Count("pk"))
        .order_by()
    )
    for row in ends:
        key = (ExchangeMonth, *(row[name] for name in GROUP), row["summary_month"])
        rows.setdefault(key, Counter())["ending"] = row["n_ending"]
    # Who began and came back, when: by month and function, and by day.
    started = exchanges.not_cancelled().filter(actual_start__isnull=False)
    for name, field in (("began", "actual_start"), ("back", "actual_end")):
        dated = started.filter(**{f"{field}__isnull": False})
        by_month = dated.annotate(summary_month=TruncMonth(field, output_field=month)).values(*GROUP, "summary_month")
        for row in by_month.annotate(n=Count("pk")).order_by():
            key = (ExchangeMonth, *(row[name] for name in GROUP), row["summary_month"])
            rows.setdefault(key, Counter())[name] = row["n"]
        for row in dated.values(*DIRECTION, field).annotate(n=Count("pk")).order_by():
            rows.setdefault((ExchangeDay, *(row[name] for name in DIRECTION), row[field]), Counter())[name] = row["n"]
    return rows


def _remove(rows) -> None:
    """Delete summary rows in one statement: they are derived, so no signal, history or cascade is owed."""
    rows._raw_delete(rows.db)


@transaction.atomic
def rebuild() -> int:
    """Rewrite every row from the exchanges; returns how many. Every partnership is locked first, as each write locks
    its own."""
    lock(Partnership.objects.values_list("pk", flat=True))
    rows: dict = {model: [] for model in TABLES}
    for (model, *values), counts in computed().items():
        fields, names = TABLES[model]
        rows[model].append(model(**dict(zip(fields, values, strict=True)), **{name: counts[name] for name in names}))
    for model, made in rows.items():
        _remove(model.objects.all())
        model.objects.bulk_create(made, batch_size=BATCH)
    return sum(len(made) for made in rows.values())


def stored() -> dict[Key, Counter]:
    rows = {}
    for model, (fields, names) in TABLES.items():
        for row in model.objects.values(*fields, *names):
            counts = Counter({name: row[name] for name in names if row[name]})
            if counts:
                rows[(model, *(row[name] for name in fields))] = counts
    return rows


def disagreeing() -> list[Key]:
    """The rows (the table, then partnership, parties, function and month, or partnership, parties and day) where
    the summary says otherwise than the exchanges: the check ``rebuild_exchange_summary --check`` runs. A row of
    zeros and a missing row say the same."""
    fresh = {key: +counts for key, counts in computed().items() if +counts}
    kept = stored()
    return sorted((key for key in fresh.keys() | kept.keys() if fresh.get(key) != kept.get(key)), key=str)
