"""The steering committee's records as exported: the decision log, actions and the risk register."""

from __future__ import annotations

from django.db import models
from django.db.models import F
from django.db.models.functions import Coalesce, TruncDate
from django.utils.translation import gettext_lazy as _

from exports.datasets import Column, Dataset, filter_scoped, joined, signed_by
from governance.models import Action, Decision, Risk

C = Column
SCOPE = frozenset({"start", "end", "partnership", "site", "company"})

DECISIONS = Dataset(
    "decisions",
    _("Decisions"),
    Decision,
    (
        C("id", _("Decision id"), "pk", "int"),
        C("partnership_id", _("Partnership id"), "partnership_id", "int"),
        C("partnership", _("Partnership"), "partnership__name"),
        C("number", _("Number"), "number"),
        C("body", _("Decided by"), "body"),
        C("title", _("Title"), "title"),
        C("text", _("Decision"), "text"),
        C("rationale", _("Rationale"), "rationale"),
        C("status", _("Status"), "status"),
        C("meeting_id", _("Meeting id"), "meeting_id", "int"),
        C("meeting_held_on", _("Meeting held on"), "meeting__held_on", "date"),
        C("approved_at", _("Approved at"), "approved_at", "datetime"),
        C("superseded_by_id", _("Superseded by (id)"), "superseded_by_id", "int"),
        C("superseded_by", _("Superseded by"), "superseded_by__number"),
        C("milestones", _("Milestones (ids)"), joined(Decision.milestones.through, "decision", "milestone_id")),
        C("sites", _("Sites (ids)"), joined(Decision.sites.through, "decision", "site_id")),
        C("exchanges", _("Exchanges (ids)"), joined(Decision.exchanges.through, "decision", "exchange_id")),
        C("signatures", _("Signatures"), signed_by("governance.decision")),
    ),
    filter_scoped,
    SCOPE,
    # The day it was taken: its meeting's, or the day it was approved (the filters' window is the same).
    year_date=Coalesce("meeting__held_on", TruncDate("approved_at")),
)

ACTIONS = Dataset(
    "actions",
    _("Actions"),
    Action,
    (
        C("id", _("Action id"), "pk", "int"),
        C("partnership_id", _("Partnership id"), "partnership_id", "int"),
        C("partnership", _("Partnership"), "partnership__name"),
        C("title", _("Title"), "title"),
        C("owner_id", _("Owner id"), "owner_id", "int"),
        C("owner", _("Owner"), "owner__name"),
        C("due_on", _("Due on"), "due_on", "date"),
        C("status", _("Status"), "status"),
        C("done_on", _("Done on"), "done_on", "date"),
        C("decision_id", _("Decision id"), "decision_id", "int"),
        C("decision", _("Decision"), "decision__number"),
        C("meeting_id", _("Meeting id"), "meeting_id", "int"),
    ),
    filter_scoped,
    SCOPE,
    year_date="due_on",
)

RISKS = Dataset(
    "risks",
    _("Risks"),
    Risk,
    (
        C("id", _("Risk id"), "pk", "int"),
        C("partnership_id", _("Partnership id"), "partnership_id", "int"),
        C("partnership", _("Partnership"), "partnership__name"),
        C("title", _("Title"), "title"),
        C("category", _("Category"), "category"),
        C("likelihood", _("Likelihood"), "likelihood", "int"),
        C("impact", _("Impact"), "impact", "int"),
        C("score", _("Score"), models.ExpressionWrapper(F("likelihood") * F("impact"), models.IntegerField()), "int"),
        C("owner_id", _("Owner id"), "owner_id", "int"),
        C("owner", _("Owner"), "owner__name"),
        C("mitigation", _("Mitigation"), "mitigation"),
        C("status", _("Status"), "status"),
        C("review_on", _("Next review"), "review_on", "date"),
        C("milestones", _("Milestones (ids)"), joined(Risk.milestones.through, "risk", "milestone_id")),
    ),
    filter_scoped,
    SCOPE,
    year_date="review_on",
)

DATASETS = {dataset.name: dataset for dataset in (DECISIONS, ACTIONS, RISKS)}
