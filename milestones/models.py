from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.history import AuditedQuerySet, audit_history
from core.expressions import DaysBetween
from milestones.rag import Rag, rag_case, rag_for
from partners.models import Company, Function, Partnership, Person, Site
from partners.names import local_name, local_name_expression

DONE_NEEDS_DATE = _("A milestone marked done needs its actual date.")
DATE_MEANS_DONE = _("Only a milestone marked done has an actual date.")
BASELINE_NEEDS_DECISION = _(
    "Moving the baseline date needs an approved decision of this partnership: cite the decision that moves it "
    "(a forecast change needs only a reason)."
)


class MilestoneQuerySet(AuditedQuerySet):
    def open(self) -> MilestoneQuerySet:
        """Milestones still to reach (see ``Milestone.Status.open_statuses``)."""
        return self.filter(status__in=Milestone.Status.open_statuses())

    def dated(self) -> MilestoneQuerySet:
        """Each milestone with ``expected`` and ``slip``: the model's ``expected_date`` and ``slip_days``, in SQL."""
        expected = Coalesce("actual_date", "forecast_date", "baseline_date")
        return self.annotate(expected=expected).annotate(slip=DaysBetween("baseline_date", F("expected")))

    def off_baseline(self) -> MilestoneQuerySet:
        """The milestones the dashboard lists as off their baseline (``dashboard.off_baseline``), dated."""
        return self.dated().filter(OFF_BASELINE)

    def rated(self, today: datetime.date) -> MilestoneQuerySet:
        """Each milestone dated, with ``rag`` (``rag(today)``'s value) and ``off_baseline``, for counting in SQL."""
        status = Milestone.Status
        return self.dated().annotate(
            rag=rag_case(
                cancelled=Q(status=status.CANCELLED),
                done=Q(status=status.DONE),
                started=~Q(status=status.NOT_STARTED),
                slip_days=F("slip"),
                due=F("expected"),
                today=today,
            ),
            off_baseline=Case(When(OFF_BASELINE, then=Value(True)), default=Value(False)),
        )

    def for_list(self) -> MilestoneQuerySet:
        return self.select_related("partnership", "site__company", "owner", "baseline_decision")

    def dated_within(self, start: datetime.date | None, end: datetime.date | None) -> MilestoneQuerySet:
        """Milestones with a baseline, forecast or actual date in the window (open bounds reach the data's ends)."""
        if start is None and end is None:
            return self
        window = (start or datetime.date.min, end or datetime.date.max)
        return self.filter(
            Q(baseline_date__range=window) | Q(forecast_date__range=window) | Q(actual_date__range=window)
        )

    def filtered(
        self,
        *,
        partnership: Partnership | None = None,
        site: Site | None = None,
        company: Company | None = None,
        start: datetime.date | None = None,
        end: datetime.date | None = None,
    ) -> MilestoneQuerySet:
        """The milestones a page, an export or the API shows for these filters (``None`` leaves a filter off).

        A company means milestones at its sites; the window is :meth:`dated_within`'s.
        """
        rows = self
        if partnership:
            rows = rows.filter(partnership=partnership)
        if site:
            rows = rows.filter(site=site)
        if company:
            rows = rows.filter(site__company=company)
        return rows.dated_within(start, end)


# Defined before Milestone: its history snapshots these links, so the class must exist first.
class Dependency(models.Model):
    """Milestone ``milestone`` cannot finish before ``depends_on``."""

    milestone = models.ForeignKey(
        "milestones.Milestone", on_delete=models.CASCADE, related_name="dependency_links", verbose_name=_("milestone")
    )
    depends_on = models.ForeignKey(
        "milestones.Milestone", on_delete=models.PROTECT, related_name="dependent_links", verbose_name=_("depends on")
    )

    class Meta:
        ordering = ["milestone", "depends_on"]
        verbose_name = _("milestone dependency")
        verbose_name_plural = _("milestone dependencies")
        constraints = [
            models.UniqueConstraint(fields=["milestone", "depends_on"], name="dependency_once"),
            models.CheckConstraint(
                condition=~Q(milestone=F("depends_on")),
                name="dependency_not_on_itself",
                violation_error_message=_("A milestone cannot depend on itself."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.milestone} ← {self.depends_on}"


class MilestoneStatus(models.TextChoices):
    """A milestone's state (``Milestone.Status``); module-level so the model's constraints can name its members."""

    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")

    @classmethod
    def open_statuses(cls) -> list[str]:
        """What "open" means everywhere: neither done nor cancelled, so still to reach."""
        return [cls.NOT_STARTED, cls.IN_PROGRESS]


# Off the baseline as the dashboard counts it (``dashboard.off_baseline``), over ``MilestoneQuerySet.dated``.
OFF_BASELINE = ~Q(status=MilestoneStatus.CANCELLED) & ~Q(slip=0)


class Milestone(models.Model):
    Status = MilestoneStatus

    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="milestones", verbose_name=_("partnership")
    )
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, null=True, blank=True, related_name="milestones", verbose_name=_("site")
    )
    title = models.CharField(_("title"), max_length=200)
    title_ja = models.CharField(_("title in Japanese"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_milestones",
        verbose_name=_("owner"),
    )
    baseline_date = models.DateField(_("baseline date"), help_text=_("The date agreed when the plan was baselined."))
    baseline_decision = models.ForeignKey(
        "governance.Decision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="baselined_milestones",
        verbose_name=_("decision for the baseline"),
        help_text=_(
            "The approved decision that set the current baseline date. Moving the baseline date needs a new one."
        ),
    )
    forecast_date = models.DateField(_("forecast date"), null=True, blank=True)
    actual_date = models.DateField(_("actual date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    required_function = models.CharField(
        _("needs people in"),
        max_length=30,
        choices=Function.choices,
        blank=True,
        help_text=_("With the headcount below: the qualified people this milestone needs at its site."),
    )
    required_headcount = models.PositiveSmallIntegerField(_("qualified headcount needed"), null=True, blank=True)
    countdown = models.BooleanField(
        _("countdown on the dashboard"),
        default=False,
        help_text=_("Show the days left to this milestone in the dashboard's headline (e.g. the Yokohama launch)."),
    )
    dependencies = models.ManyToManyField(
        "self",
        through=Dependency,
        symmetrical=False,
        blank=True,
        related_name="dependents",
        verbose_name=_("depends on"),
    )

    objects = MilestoneQuerySet.as_manager()
    history = audit_history(m2m_fields=("dependencies",))

    class Meta:
        ordering = ["baseline_date", "title"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "title"],
                name="milestone_title_unique_per_partnership",
                violation_error_message=_("This partnership already has a milestone with this title."),
            ),
            models.CheckConstraint(
                condition=~Q(status=MilestoneStatus.DONE) | Q(actual_date__isnull=False),
                name="milestone_done_has_actual_date",
                violation_error_message=DONE_NEEDS_DATE,
            ),
            models.CheckConstraint(
                condition=Q(status=MilestoneStatus.DONE) | Q(actual_date__isnull=True),
                name="milestone_actual_date_only_when_done",
                violation_error_message=DATE_MEANS_DONE,
            ),
        ]

    def __str__(self) -> str:
        return self.display_title

    def save(self, *args, **kwargs) -> None:
        # The re-baseline rule holds on every path, a bare save() in a shell or a script included, not only through
        # milestone_save() and the forms that call clean().
        errors: dict[str, list[ValidationError]] = {}
        self._check_baseline_decision(
            lambda field, message, code: errors.setdefault(field, []).append(ValidationError(message, code=code))
        )
        if errors:
            raise ValidationError(errors)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("milestones:detail", args=[self.pk])

    @classmethod
    def name_expression(cls, prefix: str = "") -> models.Expression:
        """``str()`` as SQL (``audit/names.py``)."""
        return local_name_expression(prefix + "title", prefix + "title_ja")

    @property
    def display_title(self) -> str:
        return local_name(self.title, self.title_ja)

    @property
    def expected_date(self) -> datetime.date:
        """When it happened, or when it is now expected (the baseline when nobody forecast otherwise)."""
        return self.actual_date or self.forecast_date or self.baseline_date

    @property
    def is_open(self) -> bool:
        return self.status in self.Status.open_statuses()

    @property
    def slip_days(self) -> int:
        """Days behind baseline (negative when ahead)."""
        return (self.expected_date - self.baseline_date).days

    def rag(self, today: datetime.date | None = None) -> Rag | None:
        return rag_for(
            cancelled=self.status == self.Status.CANCELLED,
            slip_days=self.slip_days,
            due=self.expected_date,
            done=self.status == self.Status.DONE,
            started=self.status != self.Status.NOT_STARTED,
            today=today or timezone.localdate(),
        )

    def clean(self) -> None:
        errors: dict[str, list[ValidationError]] = {}

        def add(field: str, message, code: str) -> None:
            errors.setdefault(field, []).append(ValidationError(message, code=code))

        if bool(self.required_function) != (self.required_headcount is not None):
            add(
                "required_headcount",
                _("Give both the function and the headcount it needs, or neither."),
                "headcount_pair",
            )
        if self.required_headcount is not None and not self.site_id:
            add("site", _("A headcount need is for a site: choose one."), "headcount_site")
        if self.status == self.Status.DONE and not self.actual_date:
            add("actual_date", DONE_NEEDS_DATE, "done_without_date")
        if self.actual_date and self.status != self.Status.DONE:
            add("status", DATE_MEANS_DONE, "date_without_done")
        if self.site_id and self.partnership_id and not self._site_belongs_to_party():
            add(
                "site",
                _("%(site)s does not belong to a party of %(partnership)s.")
                % {"site": self.site, "partnership": self.partnership},
                "site_not_party",
            )
        self._check_baseline_decision(add)
        if errors:
            raise ValidationError(errors)

    def _check_baseline_decision(self, add) -> None:
        """A baseline moves only with a newly cited, approved decision of the milestone's own partnership.

        Compared with the row as stored: creation sets the first baseline and needs no decision.
        """
        stored = (
            Milestone.objects.filter(pk=self.pk).values_list("baseline_date", "baseline_decision_id").first()
            if self.pk
            else None
        )
        if stored is None:
            cited = self.baseline_decision_id is not None
        elif self.baseline_date != stored[0]:
            if self.baseline_decision_id is None:
                add("baseline_decision", BASELINE_NEEDS_DECISION, "baseline_needs_decision")
                return
            if self.baseline_decision_id == stored[1]:
                add(
                    "baseline_decision",
                    _(
                        "%(number)s set the current baseline; moving it again needs the approved decision that "
                        "moves it now."
                    )
                    % {"number": self.baseline_decision.number},
                    "baseline_decision_reused",
                )
                return
            cited = True
        elif self.baseline_decision_id != stored[1]:
            add(
                "baseline_decision",
                _(
                    "The decision is cited when the baseline date moves: change the baseline date with it, "
                    "or leave the decision as it was."
                ),
                "decision_without_rebaseline",
            )
            return
        else:
            cited = False
        if not cited:
            return
        decision = self.baseline_decision
        if self.partnership_id and decision.partnership_id != self.partnership_id:
            add(
                "baseline_decision",
                _("%(number)s is a decision of another partnership.") % {"number": decision.number},
                "decision_other_partnership",
            )
        if decision.status != decision.Status.APPROVED:
            add(
                "baseline_decision",
                _("%(number)s is %(status)s: only an approved decision can move a baseline.")
                % {"number": decision.number, "status": decision.get_status_display().lower()},
                "decision_not_approved",
            )

    def _site_belongs_to_party(self) -> bool:
        return self.partnership.party_for(self.site.company) is not None

    def validate_dependencies(self, depends_on: Iterable[Milestone]) -> None:
        """Refuse dependencies that would make this milestone wait, directly or not, on itself."""
        depends_on = list(depends_on)
        if self.pk is None:
            return  # A new milestone has no dependents yet, so it cannot close a loop.
        if any(other.pk == self.pk for other in depends_on):
            raise ValidationError(_("A milestone cannot depend on itself."), code="dependency_self")
        edges: dict[int, list[int]] = defaultdict(list)
        for milestone_id, depends_on_id in Dependency.objects.exclude(milestone_id=self.pk).values_list(
            "milestone_id", "depends_on_id"
        ):
            edges[milestone_id].append(depends_on_id)
        for start in depends_on:
            path = _path_to(edges, start.pk, self.pk)
            if path is not None:
                titles = dict(Milestone.objects.filter(pk__in=path).values_list("pk", "title"))
                chain = " → ".join([self.title, *(titles[pk] for pk in path)])
                raise ValidationError(
                    _("These dependencies would form a loop: %(chain)s.") % {"chain": chain},
                    code="dependency_cycle",
                )


def _path_to(edges: dict[int, list[int]], start: int, goal: int) -> list[int] | None:
    """Ids from ``start`` to ``goal`` following dependency edges, or None when unreachable."""
    came_from: dict[int, int | None] = {start: None}
    queue = [start]
    while queue:
        node = queue.pop(0)
        if node == goal:
            path = []
            step: int | None = node
            while step is not None:
                path.append(step)
                step = came_from[step]
            return path[::-1]
        for nxt in edges.get(node, []):
            if nxt not in came_from:
                came_from[nxt] = node
                queue.append(nxt)
    return None
