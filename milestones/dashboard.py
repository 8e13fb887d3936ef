"""The figures on the manager dashboard, each panel in a fixed number of queries whatever the data size."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Abs, Coalesce
from django.urls import reverse
from django.utils.translation import gettext

from core.dates import local_date
from core.expressions import CodePoints, DaysBetween
from milestones.models import Dependency, Milestone
from milestones.movement import is_forecast_move
from milestones.quarters import Quarter, quarters_between
from partners.fiscal import Basis
from partners.models import Company, Exchange, Function, Partnership, Site
from partners.models.exchange import BACK_ON, direction_label
from partners.names import local_name

# How many people the "on exchange now" list names before it points to the full list.
ON_EXCHANGE_SHOWN = 25
# A timeline taller than this stops being readable (and slow to draw): beyond it, show the milestones
# nearest to today and say how to see the others.
TIMELINE_ROWS = 120
SLIPS_SHOWN = 50


@dataclass
class Filters:
    partnership: Partnership | None = None
    site: Site | None = None
    start: datetime.date | None = None
    end: datetime.date | None = None
    year_basis: Basis | None = None
    fiscal_year: int | None = None

    @property
    def basis(self) -> Basis:
        return self.year_basis or Basis()

    def key(self) -> str:
        """The filters as text, for the cache of their figures: two filter sets give the same text only when equal."""
        parts = [
            self.partnership.pk if self.partnership else "",
            self.site.pk if self.site else "",
            self.start or "",
            self.end or "",
            f"{self.basis.key}.{self.basis.start_month}",
            self.fiscal_year or "",
        ]
        return ":".join(str(part) for part in parts)

    def scope(self) -> dict:
        """The arguments of the models' shared ``filtered()`` verbs."""
        return {"partnership": self.partnership, "site": self.site, "start": self.start, "end": self.end}


@dataclass
class Slip:
    milestone: Milestone
    days: int
    moved_on: datetime.datetime | None
    moved_by: str
    reason: str
    # Written once here rather than per row by the template: the title, the link and the two dates.
    title: str = ""
    url: str = ""
    baseline: str = ""
    expected: str = ""


@dataclass
class SiteReadiness:
    site: Site
    done: int
    total: int
    next_title: str | None
    next_date: datetime.date | None


@dataclass
class DirectionCount:
    direction: str
    active: int = 0
    planned: int = 0
    completed: int = 0


@dataclass
class Headcount:
    quarters: list[Quarter]
    directions: list[str]
    functions: list[tuple[str, str]]
    # (direction, function value) → one count per quarter
    counts: dict[tuple[str, str], list[int]] = field(default_factory=dict)

    @property
    def rows(self) -> list[dict]:
        labels = dict(self.functions)
        return [
            {"direction": direction, "function": labels[value], "counts": counts}
            for (direction, value), counts in self.counts.items()
        ]

    def total(self, direction: str, index: int) -> int:
        return sum(counts[index] for (d, _f), counts in self.counts.items() if d == direction)


# The order the milestones are listed and the timeline drawn in: by site (partnership-wide first), baseline, title.
LIST_ORDER = (F("site__name").asc(nulls_first=True), "baseline_date", "title", "pk")


def drawn(filters: Filters, today: datetime.date) -> list[Milestone]:
    """Every filtered milestone a panel draws, with its site and baseline decision, in the list's order: one query.

    The database picks them by the orders of the rules below (``nearest``, ``biggest_slips``, ``next_milestone``,
    ``countdown``) and those that need people; the panels then apply the rules to these few, so each list is the one
    the rule gives over every milestone."""
    scoped = Milestone.objects.filtered(**filters.scope())
    dated = scoped.dated()
    nearest_today = dated.order_by(Abs(DaysBetween(Value(today), F("expected"))), "pk")
    # Ties broken by the title as the rules compare it in Python, whatever the database's collation.
    furthest_off = scoped.off_baseline().order_by(Abs("slip").desc(), CodePoints("title"), *LIST_ORDER)
    next_open = dated.open().order_by("expected", CodePoints("title"), *LIST_ORDER)
    counted_down = dated.filter(countdown=True).exclude(status=Milestone.Status.CANCELLED)
    picked = (
        Q(pk__in=nearest_today.values("pk")[:TIMELINE_ROWS])
        | Q(pk__in=furthest_off.values("pk")[:SLIPS_SHOWN])
        | Q(pk__in=next_open.values("pk")[:1])
        | Q(pk__in=counted_down.order_by("expected", *LIST_ORDER).values("pk")[:1])
        | Q(required_headcount__gt=0, site__isnull=False)
    )
    # Only the relations the panels show: each one joined costs a model built per milestone drawn.
    return list(scoped.select_related("site", "baseline_decision").filter(picked).order_by(*LIST_ORDER))


def short_date(day: datetime.date | None) -> str:
    """What ``|date:"SHORT_DATE_FORMAT"`` writes, formatted once per process and language (``core/dates.py``): the
    timeline and the slips write three or four dates a milestone."""
    return local_date(day, "SHORT_DATE_FORMAT")


def detail_urls() -> Callable[[int], str]:
    """What ``Milestone.get_absolute_url`` gives, for many milestones with the route reversed once: reversing it for
    each row of a long timeline cost more than drawing the row. As the admin lists' change links
    (``core/changelist.py``): a stand-in key, and each row's own ``reverse()`` where the stand-in is not found once."""
    stand_in = "999999999"
    before, found, after = reverse("milestones:detail", args=[stand_in]).partition(stand_in)
    if not found or stand_in in after:
        return lambda pk: reverse("milestones:detail", args=[pk])
    return lambda pk: f"{before}{pk}{after}"


def filtered_exchanges(filters: Filters) -> QuerySet[Exchange]:
    return Exchange.objects.filtered(**filters.scope())


def nearest(milestones: list[Milestone], today: datetime.date, limit: int | None = None) -> list[Milestone]:
    """At most ``limit`` milestones, those due nearest to today, kept in the list's own order."""
    limit = limit or TIMELINE_ROWS
    if len(milestones) <= limit:
        return milestones
    keep = {m.pk for m in sorted(milestones, key=lambda m: (abs((m.expected_date - today).days), m.pk))[:limit]}
    return [m for m in milestones if m.pk in keep]


def dependency_edges(milestones: list[Milestone]) -> list[tuple[int, int]]:
    ids = [m.pk for m in milestones]
    return list(
        Dependency.objects.filter(milestone_id__in=ids, depends_on_id__in=ids).values_list(
            "depends_on_id", "milestone_id"
        )
    )


def next_milestone(milestones: list[Milestone]) -> Milestone | None:
    open_ones = [m for m in milestones if m.is_open]
    return min(open_ones, key=lambda m: (m.expected_date, m.title), default=None)


@dataclass
class Countdown:
    milestone: Milestone
    days: int  # negative once the date has passed

    @property
    def days_late(self) -> int:
        return -self.days

    @property
    def done(self) -> bool:
        return self.milestone.status == Milestone.Status.DONE


def countdown(milestones: list[Milestone], today: datetime.date) -> Countdown | None:
    key = [m for m in milestones if m.countdown and m.status != Milestone.Status.CANCELLED]
    if not key:
        return None
    milestone = min(key, key=lambda m: m.expected_date)
    return Countdown(milestone, (milestone.expected_date - today).days)


def off_baseline(milestone: Milestone) -> bool:
    """Whether the slips list the milestone (``OFF_BASELINE`` in ``milestones/models.py`` is the same rule in SQL)."""
    return milestone.status != Milestone.Status.CANCELLED and milestone.slip_days != 0


def slips(milestones: list[Milestone]) -> list[Slip]:
    """Milestones off their current baseline, with when, by whom and why the forecast last moved (from the audit
    trail)."""
    slipped = {m.pk: m for m in milestones if off_baseline(m)}
    if not slipped:
        return []
    moves: dict[int, tuple] = {}
    previous: dict[int, tuple] = {}
    rows = (
        Milestone.history.filter(id__in=list(slipped))
        .order_by("id", "history_date", "chain_seq")
        .values_list(
            "id",
            "baseline_date",
            "forecast_date",
            "actual_date",
            "history_date",
            "history_user__username",
            "history_change_reason",
        )
    )
    for pk, baseline, forecast, actual, when, who, reason in rows:
        dates = (baseline, forecast, actual)
        # A re-baseline alone is not why the milestone is off its baseline: the dashboard lists it apart.
        if is_forecast_move(previous.get(pk), dates):
            moves[pk] = (when, who or gettext("system"), reason or "")
        previous[pk] = dates
    url = detail_urls()
    result = [
        Slip(
            m,
            m.slip_days,
            *moves.get(pk, (None, "", "")),
            title=m.display_title,
            url=url(pk),
            baseline=short_date(m.baseline_date),
            expected=short_date(m.expected_date),
        )
        for pk, m in slipped.items()
    ]
    return sorted(result, key=lambda s: (-s.days, s.milestone.title))


def biggest_slips(milestones: list[Milestone]) -> list[Milestone]:
    """The milestones furthest off baseline, so the slips panel reads their history only."""
    off = [m for m in milestones if off_baseline(m)]
    return sorted(off, key=lambda m: (-abs(m.slip_days), m.title))[:SLIPS_SHOWN]


def site_readiness(filters: Filters) -> list[SiteReadiness]:
    scope = Q(milestones__status__in=[*Milestone.Status.open_statuses(), Milestone.Status.DONE])
    if filters.partnership:
        scope &= Q(milestones__partnership=filters.partnership)
    upcoming = Milestone.objects.open().filter(site=OuterRef("pk"))
    if filters.partnership:
        upcoming = upcoming.filter(partnership=filters.partnership)
    upcoming = upcoming.annotate(due=Coalesce("forecast_date", "baseline_date")).order_by("due", "title")
    sites = Site.objects.exclude(status=Site.Status.CLOSED)
    if filters.site:
        sites = sites.filter(pk=filters.site.pk)
    sites = sites.annotate(
        total=Count("milestones", filter=scope),
        done=Count("milestones", filter=scope & Q(milestones__status=Milestone.Status.DONE)),
        next_title=Subquery(upcoming.values("title")[:1]),
        next_title_ja=Subquery(upcoming.values("title_ja")[:1]),
        next_date=Subquery(upcoming.values("due")[:1]),
    ).order_by("company__name", "name")
    return [
        SiteReadiness(site, site.done, site.total, local_name(site.next_title, site.next_title_ja), site.next_date)
        for site in sites
    ]


def direction_labels() -> dict[int, str]:
    return dict(Company.objects.values_list("pk", "short_name"))


def summary_answers(filters: Filters) -> bool:
    """Whether the exchange summary (``partners/summary.py``) holds the exchange figures for these filters: it counts
    per partnership, direction, function and month, so a site or a date window needs the exchanges themselves."""
    return not (filters.site or filters.start or filters.end)


def status_rows(exchanges: QuerySet[Exchange]) -> list[dict]:
    """Planned and completed exchanges per direction, from the records: every direction with an exchange, in order."""
    return list(
        exchanges.values("home_party", "host_party")
        .annotate(
            planned=Count("id", filter=Q(status=Exchange.Status.PLANNED)),
            completed=Count("id", filter=Q(status=Exchange.Status.COMPLETED)),
        )
        .order_by("home_party", "host_party")
    )


def active_by_direction(exchanges: QuerySet[Exchange], today: datetime.date) -> dict[tuple[int, int], int]:
    """(home party, host party) → people on exchange today: the records, which the ``exchange_on_now`` index serves."""
    rows = exchanges.active_on(today).values_list("home_party", "host_party").annotate(n=Count("id")).order_by()
    return {(home, host): n for home, host, n in rows}


def exchange_counts(
    statuses: list[dict], active: dict[tuple[int, int], int], names: dict[int, str]
) -> list[DirectionCount]:
    return [
        DirectionCount(
            direction_label(names[r["home_party"]], names[r["host_party"]]),
            active.get((r["home_party"], r["host_party"]), 0),
            r["planned"],
            r["completed"],
        )
        for r in statuses
    ]


def headcount_rows(exchanges: QuerySet[Exchange], quarters: list[Quarter]) -> list[dict]:
    """People on exchange during each quarter per direction and function, from the records (one grouped query):
    every direction and function with an exchange not cancelled, in order, with a count under each quarter's key."""
    per_quarter = {q.key: Count("id", filter=Q(period_start__lte=q.end, period_end__gte=q.start)) for q in quarters}
    return list(
        exchanges.not_cancelled()
        .with_period()
        .values("home_party", "host_party", "function_area")
        .annotate(**per_quarter)
        .order_by("home_party", "host_party", "function_area")
    )


def headcount_chart(rows: list[dict], quarters: list[Quarter], names: dict[int, str]) -> Headcount:
    chart = Headcount(quarters=quarters, directions=[], functions=[])
    functions_seen = set()
    for row in rows:
        direction = direction_label(names[row["home_party"]], names[row["host_party"]])
        if direction not in chart.directions:
            chart.directions.append(direction)
        functions_seen.add(row["function_area"])
        chart.counts[(direction, row["function_area"])] = [row[q.key] for q in quarters]
    chart.functions = [(value, label) for value, label in Function.choices if value in functions_seen]
    return chart


def headcount(exchanges: QuerySet[Exchange], quarters: list[Quarter], names: dict[int, str]) -> Headcount:
    """People on exchange during each quarter, by direction and function, from the records."""
    return headcount_chart(headcount_rows(exchanges, quarters), quarters, names)


def on_exchange_now(exchanges: QuerySet[Exchange], today: datetime.date) -> list[Exchange]:
    """The first of the people on exchange today, those coming back soonest first."""
    active = exchanges.active_on(today)
    return list(active.for_list().order_by(BACK_ON, "planned_end", "person__name")[:ON_EXCHANGE_SHOWN])


def chart_window(
    start: datetime.date | None, end: datetime.date | None, month: int, today: datetime.date
) -> tuple[datetime.date, datetime.date]:
    """The headcount chart's span: the filter's dates, an open side a year from the start of today's quarter."""
    current = Quarter.of(today, month).start
    return start or current - datetime.timedelta(days=365), end or current + datetime.timedelta(days=365)


def default_quarters(filters: Filters, today: datetime.date) -> list[Quarter]:
    """The window's quarters (a year either side of today without one), in the chosen year's quarters."""
    month = filters.basis.start_month
    return quarters_between(*chart_window(filters.start, filters.end, month, today), month)
