from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from audit.history import AuditedQuerySet, audit_history
from milestones.models import Milestone
from partners.models import Company, Partnership, Person, Site

SCALE = (1, 5)
SCALE_MESSAGE = _("Rate from 1 (lowest) to 5 (highest).")
MITIGATED_NEEDS_MITIGATION = _("A mitigated risk says how it was mitigated.")
OPEN_NEEDS_REVIEW = _("A risk that is not closed needs its next review date.")


def scale_validators() -> list:
    return [
        MinValueValidator(SCALE[0], message=SCALE_MESSAGE),
        MaxValueValidator(SCALE[1], message=SCALE_MESSAGE),
    ]


class RiskQuerySet(AuditedQuerySet):
    def not_closed(self) -> RiskQuerySet:
        return self.exclude(status=Risk.Status.CLOSED)

    def past_review(self, today: datetime.date) -> RiskQuerySet:
        """Risks still open or mitigated whose review date has passed (due today is not past yet)."""
        return self.not_closed().filter(review_on__lt=today)

    def with_score(self) -> RiskQuerySet:
        return self.annotate(score_value=F("likelihood") * F("impact"))

    def for_list(self) -> RiskQuerySet:
        return self.select_related("partnership", "owner")

    def filtered(
        self,
        *,
        partnership: Partnership | None = None,
        site: Site | None = None,
        company: Company | None = None,
        start: datetime.date | None = None,
        end: datetime.date | None = None,
    ) -> RiskQuerySet:
        """The risks a page or an export shows (``None`` leaves a filter off).

        A site or a company means risks to milestones there; the window is the review date.
        """
        rows = self
        if partnership:
            rows = rows.filter(partnership=partnership)
        if site:
            rows = rows.filter(pk__in=Risk.milestones.through.objects.filter(milestone__site=site).values("risk_id"))
        if company:
            rows = rows.filter(
                pk__in=Risk.milestones.through.objects.filter(milestone__site__company=company).values("risk_id")
            )
        if start:
            rows = rows.filter(review_on__gte=start)
        if end:
            rows = rows.filter(review_on__lte=end)
        return rows


class RiskStatus(models.TextChoices):
    """A risk's state (``Risk.Status``); module-level so the model's constraints can name its members."""

    OPEN = "open", pgettext_lazy("a risk", "Open")
    MITIGATED = "mitigated", _("Mitigated")
    CLOSED = "closed", pgettext_lazy("a risk", "Closed")


class Risk(models.Model):
    class Category(models.TextChoices):
        SUPPLY = "supply", _("Supply")
        QUALITY = "quality", _("Quality")
        REGULATORY = "regulatory", _("Regulatory")
        PEOPLE = "people", _("People")
        SCHEDULE = "schedule", _("Schedule")
        COMMERCIAL = "commercial", _("Commercial")

    Status = RiskStatus

    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="risks", verbose_name=_("partnership")
    )
    title = models.CharField(_("title"), max_length=200)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    likelihood = models.PositiveSmallIntegerField(
        _("likelihood"), validators=scale_validators(), help_text=_("1 rare … 5 almost certain")
    )
    impact = models.PositiveSmallIntegerField(
        _("impact"), validators=scale_validators(), help_text=_("1 negligible … 5 severe")
    )
    owner = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="risks", verbose_name=_("owner"))
    mitigation = models.TextField(_("mitigation"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    review_on = models.DateField(_("next review"), null=True, blank=True)
    milestones = models.ManyToManyField(
        Milestone, blank=True, related_name="risks", verbose_name=_("milestones threatened")
    )

    objects = RiskQuerySet.as_manager()
    history = audit_history(m2m_fields=("milestones",))

    class Meta:
        ordering = ["review_on", "title"]
        verbose_name = _("risk")
        verbose_name_plural = _("risks")
        constraints = [
            models.CheckConstraint(
                condition=Q(likelihood__gte=SCALE[0], likelihood__lte=SCALE[1]),
                name="risk_likelihood_scale",
                violation_error_message=SCALE_MESSAGE,
            ),
            models.CheckConstraint(
                condition=Q(impact__gte=SCALE[0], impact__lte=SCALE[1]),
                name="risk_impact_scale",
                violation_error_message=SCALE_MESSAGE,
            ),
            models.CheckConstraint(
                condition=~Q(status=RiskStatus.MITIGATED) | ~Q(mitigation=""),
                name="risk_mitigated_has_mitigation",
                violation_error_message=MITIGATED_NEEDS_MITIGATION,
            ),
            models.CheckConstraint(
                condition=Q(status=RiskStatus.CLOSED) | Q(review_on__isnull=False),
                name="risk_open_has_review",
                violation_error_message=OPEN_NEEDS_REVIEW,
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("governance:risks") + f"#risk-{self.pk}"

    @classmethod
    def name_expression(cls, prefix: str = "") -> models.Expression:
        """``str()`` as SQL (``audit/names.py``)."""
        return F(prefix + "title")

    @property
    def score(self) -> int:
        """Likelihood × impact: 1 to 25."""
        return self.likelihood * self.impact

    def is_past_review(self, today: datetime.date) -> bool:
        return self.status != self.Status.CLOSED and self.review_on is not None and self.review_on < today

    def clean(self) -> None:
        errors: dict[str, list[ValidationError]] = {}

        def add(field: str, message, code: str) -> None:
            errors.setdefault(field, []).append(ValidationError(message, code=code))

        if self.status == self.Status.MITIGATED and not self.mitigation.strip():
            add("mitigation", MITIGATED_NEEDS_MITIGATION, "mitigated_without_mitigation")
        if self.status != self.Status.CLOSED and self.review_on is None:
            add("review_on", OPEN_NEEDS_REVIEW, "open_without_review")
        if self.partnership_id and self.owner_id and self.partnership.party_of(self.owner) is None:
            add(
                "owner",
                _("%(person)s works for none of the parties to %(partnership)s.")
                % {"person": self.owner, "partnership": self.partnership},
                "owner_not_party",
            )
        if errors:
            raise ValidationError(errors)

    def validate_milestones(self, milestones: Iterable[Milestone]) -> None:
        if foreign := [m for m in milestones if m.partnership_id != self.partnership_id]:
            raise ValidationError(
                _("Not milestones of %(partnership)s: %(items)s.")
                % {"partnership": self.partnership, "items": ", ".join(map(str, foreign))},
                code="milestone_other_partnership",
            )
