"""The dashboard's panels, in the order the page shows them.

Each panel is a small class: the template that draws it and the figures it needs, computed from the board (the
filters, today and the filtered records every panel shares). The page renders ``PANELS`` in order, so a new panel
is a class here (or in its own app) and one line in that list.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache as django_cache
from django.db.models import Model, QuerySet
from django.urls import reverse
from django.utils.http import urlencode

from accounts.models import CalendarToken
from milestones import cache, charts, dashboard, figures, movement
from milestones.models import Milestone
from partners import summary
from partners.models import Exchange
from training import readiness


@dataclass
class Board:
    """What every panel is given. The records several panels read are fetched once, when the first one asks."""

    filters: dashboard.Filters
    today: datetime.date
    user: AbstractBaseUser

    @cached_property
    def tallies(self) -> list[figures.Tally]:
        """Every filtered milestone, counted by the database: for the panels that count them."""
        return figures.tallies(self.filters, self.today)

    @cached_property
    def milestones(self) -> list[Milestone]:
        """The filtered milestones a panel draws, in full and in the list's order (``dashboard.drawn``)."""
        return dashboard.drawn(self.filters, self.today)

    @cached_property
    def nearest(self) -> list[Milestone]:
        return dashboard.nearest(self.milestones, self.today)

    @cached_property
    def biggest_slips(self) -> list[Milestone]:
        return dashboard.biggest_slips(self.milestones)

    @cached_property
    def needing_people(self) -> list[Milestone]:
        return [m for m in self.milestones if m.required_headcount and m.site_id]

    @property
    def scoped_milestones(self) -> QuerySet[Milestone]:
        """The filtered milestones as a query, for panels that read their history in the database."""
        return Milestone.objects.filtered(**self.filters.scope())

    @cached_property
    def exchanges(self) -> QuerySet[Exchange]:
        return dashboard.filtered_exchanges(self.filters)

    @cached_property
    def direction_names(self) -> dict[int, str]:
        return dashboard.direction_labels()

    @property
    def summarised(self) -> bool:
        """Whether the exchange figures come from the exchange summary (or, for a site or dates, the records)."""
        return dashboard.summary_answers(self.filters)

    @cached_property
    def active_by_direction(self) -> dict[tuple[int, int], int]:
        """Who is on exchange today, per direction: the headline counts it, the exchanges panel adds it up."""
        if self.summarised:
            return summary.active_rows(self.filters.partnership, self.today)
        return dashboard.active_by_direction(self.exchanges, self.today)


class Panel:
    """One section of the dashboard: ``template_name`` draws what ``get_context(board)`` returns.

    Figures are cached per filter set, language and day (``milestones/cache.py``); a panel whose figures depend on
    anything else (the user) says ``cached = False``. A cached panel names what it reads, as model labels: ``reads``,
    the records it counts or lists, any of whose rows written may change it; ``refers_to``, the records it reaches
    only through those (a name beside a row), which a row added there cannot change until one it reads points to it.
    ``tests/milestones/test_dashboard_cache.py`` holds these lists to the tables each panel's queries touch.
    ``counts`` may say, for a model it reads, whether the panel counts a row just added: one it would not count (a
    person who is not counted anywhere yet) leaves it cached. ``shows`` may name, for a model it refers to, the only
    fields it shows of it: a write that saves other fields alone (a sign-in's last_login) leaves it cached.
    """

    template_name: str
    cached = True
    reads: tuple[str, ...] = ()
    refers_to: tuple[str, ...] = ()
    counts: dict[str, Callable[[Model], bool]] = {}
    shows: dict[str, tuple[str, ...]] = {}

    @property
    def name(self) -> str:
        return type(self).__name__

    def get_context(self, board: Board) -> dict:
        raise NotImplementedError


# What ``Board.tallies`` and ``Board.milestones`` read: the filtered milestones, those drawn with their site and the
# decision behind their baseline (``dashboard.drawn``).
MILESTONES = ("milestones.Milestone",)
MILESTONE_NAMES = ("partners.Site", "governance.Decision")
# What the exchange figures read: the exchanges (at a site: hosted there, or of people based there) and the exchange
# summary, with the parties' short names (``Board.direction_names``).
EXCHANGES = ("partners.Exchange", "partners.ExchangeMonth", "partners.ExchangeDay")
EXCHANGE_NAMES = ("partners.Company", "partners.Person", "partners.Partnership", "partners.Site")


@dataclass(frozen=True)
class Filled:
    """A panel ready for the page to draw: its figures, or the HTML it drew for the same filters, language, time
    zone and day since the records last changed. ``cache_key`` says where to keep what it draws."""

    template_name: str
    context: dict | None = None
    html: str | None = None
    cache_key: str | None = None


class Headline(Panel):
    template_name = "milestones/_headline.html"
    reads = (*MILESTONES, *EXCHANGES)
    refers_to = (*MILESTONE_NAMES, *EXCHANGE_NAMES)

    def get_context(self, board: Board) -> dict:
        return {
            "rag_counts": figures.rag_counts(board.tallies),
            "next_milestone": dashboard.next_milestone(board.milestones),
            "countdown": dashboard.countdown(board.milestones, board.today),
            "direction_counts": dashboard.exchange_counts(
                summary.status_rows(board.filters.partnership)
                if board.summarised
                else dashboard.status_rows(board.exchanges),
                board.active_by_direction,
                board.direction_names,
            ),
        }


class Timeline(Panel):
    template_name = "milestones/_timeline.html"
    reads = (*MILESTONES, "milestones.Dependency")
    refers_to = MILESTONE_NAMES

    def get_context(self, board: Board) -> dict:
        shown = board.nearest
        total = figures.milestones_total(board.tallies)
        return {
            "milestones_total": total,
            "timeline": charts.timeline(shown, dashboard.dependency_edges(shown), board.today),
            "timeline_hidden": total - len(shown),
        }


class Years(Panel):
    template_name = "milestones/_years.html"
    reads = MILESTONES
    refers_to = MILESTONE_NAMES

    def get_context(self, board: Board) -> dict:
        basis = board.filters.basis
        return {"years": figures.by_year(board.tallies, basis), "basis": basis}


class Slips(Panel):
    """Re-baselines (the baseline moved by a decision) apart from slips against the baseline in force."""

    template_name = "milestones/_slips.html"
    # The milestones' history: when, by whom (a login's name) and why each forecast moved.
    reads = (*MILESTONES, "milestones.HistoricalMilestone")
    refers_to = (*MILESTONE_NAMES, "auth.User")
    shows = {"auth.User": ("username",)}

    def get_context(self, board: Board) -> dict:
        moved = movement.rebaseline_rows(board.scoped_milestones)
        rebaselines = movement.recent_rebaselines(board.scoped_milestones)
        return {
            "rebaselines": rebaselines,
            "rebaselines_total": moved.count(),
            "slips": dashboard.slips(board.biggest_slips),
            "slips_total": figures.off_baseline_total(board.tallies),
        }


class Sites(Panel):
    template_name = "milestones/_sites.html"
    # Every site not closed, listed whether or not it has a milestone.
    reads = (*MILESTONES, "partners.Site")
    refers_to = ("partners.Company", "partners.Partnership")

    def get_context(self, board: Board) -> dict:
        return {"sites": dashboard.site_readiness(board.filters)}


class Exchanges(Panel):
    template_name = "milestones/_exchanges.html"
    reads = EXCHANGES
    refers_to = EXCHANGE_NAMES

    def get_context(self, board: Board) -> dict:
        quarters = dashboard.default_quarters(board.filters, board.today)
        if board.summarised:
            spans = {q.key: (q.start, q.end) for q in quarters}
            rows = summary.headcount_rows(board.filters.partnership, spans)
        else:
            rows = dashboard.headcount_rows(board.exchanges, quarters)
        headcount = dashboard.headcount_chart(rows, quarters, board.direction_names)
        everyone_active = {"status__exact": Exchange.Status.ACTIVE}
        return {
            "headcount": headcount,
            "bars": charts.headcount_bars(headcount),
            "on_exchange": dashboard.on_exchange_now(board.exchanges, board.today),
            "on_exchange_total": sum(board.active_by_direction.values()),
            "all_on_exchange_url": f"{reverse('admin:partners_exchange_changelist')}?{urlencode(everyone_active)}",
        }


class Training(Panel):
    template_name = "milestones/_training.html"
    # People counted per site and function (a person added may be one), their records, QA signatures and clearance
    # summary, the curricula and requirements; and the milestones whose headcount they are counted against.
    reads = (
        *MILESTONES,
        "partners.Person",
        "training.TrainingRecord",
        "training.HistoricalTrainingRecord",
        "training.Curriculum",
        "training.Curriculum_requirements",
        "training.Requirement",
        "training.RequirementVersion",
        "signatures.Signature",
    )
    # The clearance summary (and its sum) and the holdings summary are held to say what the people and their records
    # say: a person's rows change with the person, their records or the requirements, each a write of its own.
    refers_to = (
        *MILESTONE_NAMES,
        "partners.Company",  # the headcounts' sites, fetched with their company (``SiteManager``)
        "training.Clearance",
        "training.ClearanceCount",
        "training.Holding",
        "contenttypes.ContentType",
    )
    # A person added counts only active and based at a site (``readiness.counted_people``); a record added is of a
    # person, counted or not, and may expire soon.
    counts = {"partners.Person": lambda person: person.active and person.home_site_id is not None}

    def get_context(self, board: Board) -> dict:
        qualified = readiness.qualified(board.today)
        return {
            "training_needs": readiness.needs(board.needing_people, qualified),
            "headcounts": readiness.headcounts(qualified),
            "expiring": readiness.expiring(board.today),
        }


class Calendar(Panel):
    template_name = "milestones/_calendar.html"
    cached = False  # the user's own calendar link

    def get_context(self, board: Board) -> dict:
        return {"calendar_token": CalendarToken.for_user(board.user)}


# Governance panels live with their app; imported here, at the end, as they build on Board and Panel above.
from governance.panels import Overdue, RiskHeatMap  # noqa: E402

# The dashboard, top to bottom.
PANELS: list[Panel] = [
    Headline(),
    Timeline(),
    Years(),
    Slips(),
    RiskHeatMap(),
    Overdue(),
    Sites(),
    Exchanges(),
    Training(),
    Calendar(),
]


def fill(board: Board) -> list[Filled]:
    """Every panel, in the page's order: drawn already where the cache holds it, with its figures where not."""
    keys = cache.keys(board.filters.key(), board.today, [panel.name for panel in PANELS if panel.cached])
    drawn = django_cache.get_many(list(keys.values()))
    filled = []
    for panel in PANELS:
        key = keys.get(panel.name)
        if key in drawn:
            filled.append(Filled(panel.template_name, html=drawn[key]))
        else:
            filled.append(Filled(panel.template_name, panel.get_context(board), cache_key=key))
    return filled
