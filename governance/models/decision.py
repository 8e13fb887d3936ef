from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Concat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.history import AuditedQuerySet, audit_history
from governance.models.meeting import Body, Meeting
from milestones.models import Milestone
from partners.models import Company, Exchange, Partnership, Site

APPROVED_NEEDS_TIME = _("An approved decision needs the time both parties approved it.")
APPROVAL_TIME_NEEDS_APPROVAL = _("Only an approved or superseded decision has an approval time.")
SUPERSEDED_NEEDS_SUCCESSOR = _("A superseded decision names the decision that supersedes it.")
SUCCESSOR_MEANS_SUPERSEDED = _("Only a superseded decision names a decision that supersedes it.")
SUPERSEDED_WAS_APPROVED = _("Only an approved decision can be superseded; a proposal no longer wanted is rejected.")
APPROVAL_REASON = "Approved by a co-chair of each party"


class DecisionQuerySet(AuditedQuerySet):
    def approved(self) -> DecisionQuerySet:
        return self.filter(status=Decision.Status.APPROVED)

    def for_list(self) -> DecisionQuerySet:
        return self.select_related("partnership", "meeting", "superseded_by")

    def search(self, words: str) -> DecisionQuerySet:
        """Decisions whose number, title, text or rationale contain every word."""
        rows = self
        for word in words.split():
            rows = rows.filter(
                Q(number__icontains=word)
                | Q(title__icontains=word)
                | Q(text__icontains=word)
                | Q(rationale__icontains=word)
            )
        return rows

    def filtered(
        self,
        *,
        partnership: Partnership | None = None,
        site: Site | None = None,
        company: Company | None = None,
        start: datetime.date | None = None,
        end: datetime.date | None = None,
    ) -> DecisionQuerySet:
        """The decisions a page or an export shows for these filters (``None`` leaves a filter off).

        A site or company means decisions that concern it (or one of the company's sites); the window is the
        date the decision was taken: its meeting's, or else the day it was approved.
        """
        rows = self
        if partnership:
            rows = rows.filter(partnership=partnership)
        if site:
            rows = rows.filter(pk__in=Decision.sites.through.objects.filter(site=site).values("decision_id"))
        if company:
            rows = rows.filter(
                pk__in=Decision.sites.through.objects.filter(site__company=company).values("decision_id")
            )
        if start:
            rows = rows.filter(Q(meeting__held_on__gte=start) | Q(meeting__isnull=True, approved_at__date__gte=start))
        if end:
            rows = rows.filter(Q(meeting__held_on__lte=end) | Q(meeting__isnull=True, approved_at__date__lte=end))
        return rows


class DecisionStatus(models.TextChoices):
    """A decision's state (``Decision.Status``); module-level so the model's constraints can name its members."""

    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SUPERSEDED = "superseded", _("Superseded")


class Decision(models.Model):
    Status = DecisionStatus

    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="decisions", verbose_name=_("partnership")
    )
    body = models.CharField(
        _("decided by"),
        max_length=20,
        choices=Body.choices,
        default=Body.JSC,
        help_text=_("The committee whose series numbers the decision: JSC-2026-03 or WG-2026-03."),
    )
    # Numbered once, on the first save (governance.services.decision_save), and never again.
    year = models.PositiveSmallIntegerField(_("year"), editable=False)
    sequence = models.PositiveIntegerField(_("sequence"), editable=False)
    number = models.CharField(_("number"), max_length=30, editable=False)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("decision"), help_text=_("What was decided, as the minutes record it."))
    rationale = models.TextField(_("rationale"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PROPOSED)
    superseded_by = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supersedes",
        verbose_name=_("superseded by"),
    )
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("meeting"),
    )
    milestones = models.ManyToManyField(
        Milestone, blank=True, related_name="decisions", verbose_name=_("milestones concerned")
    )
    sites = models.ManyToManyField(Site, blank=True, related_name="decisions", verbose_name=_("sites concerned"))
    exchanges = models.ManyToManyField(
        Exchange, blank=True, related_name="decisions", verbose_name=_("exchanges concerned")
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True, editable=False)

    objects = DecisionQuerySet.as_manager()
    history = audit_history(m2m_fields=("milestones", "sites", "exchanges"))

    class Meta:
        ordering = ["-year", "body", "-sequence"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "body", "year", "sequence"],
                name="decision_sequence_once",
                violation_error_message=_("This decision number is already taken."),
            ),
            models.UniqueConstraint(
                fields=["partnership", "number"],
                name="decision_number_once",
                violation_error_message=_("This decision number is already taken."),
            ),
            models.CheckConstraint(
                condition=~Q(number="") & Q(sequence__gte=1),
                name="decision_numbered",
                violation_error_message=_("A decision is numbered when it is first saved."),
            ),
            models.CheckConstraint(
                condition=~Q(status=DecisionStatus.APPROVED) | Q(approved_at__isnull=False),
                name="decision_approved_has_time",
                violation_error_message=APPROVED_NEEDS_TIME,
            ),
            models.CheckConstraint(
                condition=Q(approved_at__isnull=True)
                | Q(status__in=[DecisionStatus.APPROVED, DecisionStatus.SUPERSEDED]),
                name="decision_approval_time_only_when_approved",
                violation_error_message=APPROVAL_TIME_NEEDS_APPROVAL,
            ),
            models.CheckConstraint(
                condition=Q(status=DecisionStatus.SUPERSEDED, superseded_by__isnull=False, approved_at__isnull=False)
                | (~Q(status=DecisionStatus.SUPERSEDED) & Q(superseded_by__isnull=True)),
                name="decision_superseded_names_successor",
                violation_error_message=SUPERSEDED_NEEDS_SUCCESSOR,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}" if self.number else self.title

    def get_absolute_url(self) -> str:
        return reverse("governance:decision_detail", args=[self.pk])

    @classmethod
    def name_expression(cls, prefix: str = "") -> models.Expression:
        """``str()`` as SQL (``audit/names.py``)."""
        return Case(
            When(**{prefix + "number": ""}, then=F(prefix + "title")),
            default=Concat(F(prefix + "number"), Value(" "), F(prefix + "title")),
            output_field=models.CharField(),
        )

    @staticmethod
    def format_number(body: str, year: int, sequence: int) -> str:
        return f"{Body(body).prefix}-{year}-{sequence:02d}"

    def record_approval(self, now: datetime.datetime, *, user=None) -> None:
        """Mark the decision approved at ``now`` and save it: the one way a decision becomes approved.

        The signatures app calls this once a co-chair of each party has signed the current version "approved".
        """
        if self.status != self.Status.PROPOSED:
            raise ValidationError(
                _("Only a proposed decision can be approved; this one is %(status)s.")
                % {"status": self.get_status_display()},
                code="approval_not_proposed",
            )
        self.status, self.approved_at = self.Status.APPROVED, now
        self._change_reason = APPROVAL_REASON
        if user is not None:
            self._history_user = user
        self._recording_approval = True
        try:
            self.full_clean()
            self.save()
        finally:
            del self._recording_approval

    def clean(self) -> None:
        errors: dict[str, list[ValidationError]] = {}

        def add(field: str, message, code: str) -> None:
            errors.setdefault(field, []).append(ValidationError(message, code=code))

        stored = type(self).objects.filter(pk=self.pk).values("status", "body").first() if self.pk else None
        self._check_status(add, stored)
        if stored and stored["body"] != self.body:
            add("body", _("The committee is part of the decision's number and cannot change."), "body_fixed")
        if self.meeting_id and self.partnership_id:
            if self.meeting.partnership_id != self.partnership_id:
                add("meeting", _("This meeting belongs to another partnership."), "meeting_other_partnership")
            elif self.meeting.kind != self.body:
                add(
                    "meeting",
                    _("This is a %(kind)s meeting: the decision must be numbered in its series.")
                    % {"kind": self.meeting.get_kind_display()},
                    "meeting_other_body",
                )
        if self.superseded_by_id:
            self._check_successor(add)
        if errors:
            raise ValidationError(errors)

    def _check_status(self, add, stored: dict | None) -> None:
        was = stored["status"] if stored else None
        if self.status == self.Status.APPROVED and was != self.Status.APPROVED:
            if not getattr(self, "_recording_approval", False):
                add(
                    "status",
                    _("A decision is approved only by the signatures of a co-chair of each party."),
                    "approval_by_hand",
                )
        elif self.status == self.Status.APPROVED and self.approved_at is None:
            add("status", APPROVED_NEEDS_TIME, "approved_without_time")
        if was == self.Status.APPROVED and self.status not in (self.Status.APPROVED, self.Status.SUPERSEDED):
            add(
                "status",
                _("An approved decision stays approved until another decision supersedes it."),
                "approved_is_final",
            )
        if was in (self.Status.REJECTED, self.Status.SUPERSEDED) and self.status != was:
            add("status", _("A rejected or superseded decision keeps its status."), "status_final")
        if self.status == self.Status.SUPERSEDED:
            if not self.superseded_by_id:
                add("superseded_by", SUPERSEDED_NEEDS_SUCCESSOR, "superseded_without_successor")
            if self.approved_at is None:
                add("status", SUPERSEDED_WAS_APPROVED, "superseded_not_approved")
        elif self.superseded_by_id:
            add("superseded_by", SUCCESSOR_MEANS_SUPERSEDED, "successor_without_superseded")

    def _check_successor(self, add) -> None:
        successor = self.superseded_by
        if self.pk is not None and successor.pk == self.pk:
            add("superseded_by", _("A decision cannot supersede itself."), "superseded_by_itself")
        elif successor.partnership_id != self.partnership_id:
            add("superseded_by", _("The superseding decision belongs to another partnership."), "successor_other")
        elif successor.status != self.Status.APPROVED:
            add(
                "superseded_by",
                _("%(number)s is not approved: only an approved decision supersedes another.")
                % {"number": successor.number},
                "successor_not_approved",
            )

    def validate_concerns(
        self,
        *,
        milestones: Iterable[Milestone] = (),
        sites: Iterable[Site] = (),
        exchanges: Iterable[Exchange] = (),
    ) -> None:
        """The milestones, sites and exchanges a decision concerns are the partnership's own."""
        errors: dict[str, list[ValidationError]] = {}
        partnership = self.partnership
        if foreign := [m for m in milestones if m.partnership_id != partnership.pk]:
            errors["milestones"] = [
                ValidationError(
                    _("Not milestones of %(partnership)s: %(items)s.")
                    % {"partnership": partnership, "items": ", ".join(map(str, foreign))},
                    code="milestone_other_partnership",
                )
            ]
        if foreign := [s for s in sites if partnership.party_for(s.company) is None]:
            errors["sites"] = [
                ValidationError(
                    _("Not sites of a party to %(partnership)s: %(items)s.")
                    % {"partnership": partnership, "items": ", ".join(map(str, foreign))},
                    code="site_not_party",
                )
            ]
        if foreign := [e for e in exchanges if e.partnership_id != partnership.pk]:
            errors["exchanges"] = [
                ValidationError(
                    _("Not exchanges of %(partnership)s: %(items)s.")
                    % {"partnership": partnership, "items": ", ".join(map(str, foreign))},
                    code="exchange_other_partnership",
                )
            ]
        if errors:
            raise ValidationError(errors)


def decision_year(decision: Decision) -> int:
    """The year a decision is numbered in: its meeting's, or the current one in the app's time zone."""
    return decision.meeting.held_on.year if decision.meeting_id else timezone.localdate().year
