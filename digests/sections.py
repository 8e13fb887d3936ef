"""What a digest says, by role: each section reads the records through the functions the pages already use.

- Managers: milestones that turned amber or red, slips and re-baselines since the last digest
  (``milestones.movement``), overdue actions and risks past review (the dashboard's Overdue panel).
- Staff: exchanges starting or ending in the next two weeks (``Exchange.objects.starting_or_ending``).
- QA approvers and auditors: qualifications expiring within ``TRAINING_EXPIRING_DAYS`` (``training.readiness``) and
  signatures that no longer cover their record (``signatures.display.with_coverage``).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts import roles
from milestones import movement
from milestones.dashboard import Filters
from milestones.models import Milestone

# The Overdue panel through milestones.panels, which loads the governance panels after its own classes.
from milestones.panels import Board, Overdue
from milestones.rag import Rag
from partners.models import Exchange
from signatures.display import with_coverage
from signatures.models import Signature
from training import readiness

# Exchanges starting or ending within this many days from the digest's day (the day itself and the last included).
EXCHANGE_DAYS = 14
# Rows a list shows before it says how many more there are (the app's own pages list them all).
ROWS_SHOWN = 25

MANAGERS = {roles.MANAGER}
STAFF = {roles.STAFF}
QUALITY = {roles.QA_APPROVER, roles.AUDITOR}

SEVERITY = {None: 0, Rag.GREEN: 0, Rag.AMBER: 1, Rag.RED: 2}


@dataclass
class Turned:
    milestone: Milestone
    before: Rag | None
    now: Rag


@dataclass
class ExchangeEvent:
    day: datetime.date
    starts: bool
    exchange: Exchange


@dataclass
class StaleSignature:
    signature: Signature
    record: object


@dataclass
class Digest:
    """Everything one user's digest says; a section the user's roles do not ask for stays empty."""

    day: datetime.date
    since: datetime.datetime
    until: datetime.datetime
    manager: bool = False
    staff: bool = False
    quality: bool = False
    turned: list[Turned] = field(default_factory=list)
    moves: list[movement.DateMove] = field(default_factory=list)
    overdue_actions: list = field(default_factory=list)
    overdue_total: int = 0
    past_review: list = field(default_factory=list)
    past_review_total: int = 0
    exchanges: list[ExchangeEvent] = field(default_factory=list)
    exchanges_until: datetime.date | None = None
    expiring: list[readiness.Expiry] = field(default_factory=list)
    expiring_total: int = 0
    stale_signatures: list[StaleSignature] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (
            self.turned
            or self.moves
            or self.overdue_total
            or self.past_review_total
            or self.exchanges
            or self.expiring_total
            or self.stale_signatures
        )

    @property
    def slips(self) -> list[movement.DateMove]:
        return [move for move in self.moves if move.expected_moved and not move.rebaseline]

    @property
    def rebaselines(self) -> list[movement.DateMove]:
        return [move for move in self.moves if move.rebaseline]

    def summary(self) -> str:
        """One line for the command's output and the sent row (in the active language)."""
        counts = [
            (len(self.turned), ngettext("%(n)d turned amber or red", "%(n)d turned amber or red", len(self.turned))),
            (len(self.slips), ngettext("%(n)d slip", "%(n)d slips", len(self.slips))),
            (len(self.rebaselines), ngettext("%(n)d re-baseline", "%(n)d re-baselines", len(self.rebaselines))),
            (self.overdue_total, ngettext("%(n)d overdue action", "%(n)d overdue actions", self.overdue_total)),
            (
                self.past_review_total,
                ngettext("%(n)d risk past review", "%(n)d risks past review", self.past_review_total),
            ),
            (
                len(self.exchanges),
                ngettext("%(n)d exchange date", "%(n)d exchange dates", len(self.exchanges)),
            ),
            (
                self.expiring_total,
                ngettext("%(n)d qualification expiring", "%(n)d qualifications expiring", self.expiring_total),
            ),
            (
                len(self.stale_signatures),
                ngettext("%(n)d stale signature", "%(n)d stale signatures", len(self.stale_signatures)),
            ),
        ]
        return ", ".join(text % {"n": n} for n, text in counts if n) or _("nothing to say")


def digest_for(
    user, *, day: datetime.date, since: datetime.datetime, until: datetime.datetime, since_day: datetime.date
) -> Digest:
    """The digest of ``user`` for their local ``day``: news in ``(since, until]``, states as of ``day``.

    ``since_day`` is the user's local day at ``since``, against which a milestone's colour is compared.
    """
    names = set(user.groups.values_list("name", flat=True))
    digest = Digest(day, since, until, manager=bool(names & MANAGERS), staff=bool(names & STAFF))
    digest.quality = bool(names & QUALITY)
    if digest.manager:
        add_manager_sections(digest, user, since_day)
    if digest.staff:
        digest.exchanges_until = day + datetime.timedelta(days=EXCHANGE_DAYS)
        digest.exchanges = exchange_events(day, digest.exchanges_until)
    if digest.quality:
        digest.expiring, digest.expiring_total = readiness.expiring(day, limit=ROWS_SHOWN)
        digest.stale_signatures = stale_signatures()
    return digest


def add_manager_sections(digest: Digest, user, since_day: datetime.date) -> None:
    digest.turned = turned_amber_or_red(digest.since, since_day, digest.day)
    digest.moves = movement.moves_between(digest.since, digest.until)
    overdue = Overdue().get_context(Board(filters=Filters(), today=digest.day, user=user))
    digest.overdue_actions, digest.overdue_total = overdue["overdue_actions"], overdue["overdue_total"]
    digest.past_review, digest.past_review_total = overdue["past_review"], overdue["past_review_total"]


def turned_amber_or_red(since: datetime.datetime, since_day: datetime.date, day: datetime.date) -> list[Turned]:
    """Milestones amber or red on ``day`` that were better (or did not exist) at ``since``, rated on ``since_day``."""
    before = movement.states_at(since)
    turned = []
    for milestone in Milestone.objects.for_list().order_by("baseline_date", "title"):
        now = milestone.rag(day)
        then = before[milestone.pk].rag(since_day) if milestone.pk in before else None
        if now in (Rag.AMBER, Rag.RED) and SEVERITY[now] > SEVERITY[then]:
            turned.append(Turned(milestone, then, now))
    return turned


def exchange_events(start: datetime.date, end: datetime.date) -> list[ExchangeEvent]:
    events = []
    for exchange in Exchange.objects.starting_or_ending(start, end).for_list():
        if start <= exchange.period_start <= end:
            events.append(ExchangeEvent(exchange.period_start, True, exchange))
        if start <= exchange.period_end <= end:
            events.append(ExchangeEvent(exchange.period_end, False, exchange))
    return sorted(events, key=lambda e: (e.day, not e.starts, e.exchange.person.name, e.exchange.pk))


def stale_signatures() -> list[StaleSignature]:
    """Each signer's latest signature of each meaning on a record, where it no longer covers the record's current
    content (a later signature of the same meaning by the same signer settles it)."""
    latest: dict[tuple, Signature] = {}
    for signature in Signature.objects.select_related("signer").order_by("chain_seq"):
        latest[(signature.content_type_id, signature.object_id, signature.signer_id, signature.meaning)] = signature
    by_type: dict[int, list[Signature]] = defaultdict(list)
    for signature in latest.values():
        by_type[signature.content_type_id].append(signature)
    stale = []
    for type_id, signatures in by_type.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        uncovered = [shown.signature for shown in with_coverage(model, signatures) if not shown.covers]
        records = model._default_manager.in_bulk({s.object_id for s in uncovered})
        stale += [StaleSignature(s, records.get(s.object_id)) for s in uncovered]
    return sorted(stale, key=lambda s: s.signature.chain_seq)
