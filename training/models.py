from __future__ import annotations

import calendar
import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Concat
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from audit.history import AuditedQuerySet, audit_history
from audit.names import iso_date
from partners.models import Exchange, Function, Person, Site
from partners.names import local_name, local_name_expression


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later, or the month's last day when it has no such day (31 Jan + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class Requirement(models.Model):
    """A training requirement: an SOP or course, revised over time (see RequirementVersion)."""

    code = models.CharField(_("code"), max_length=50, unique=True, help_text=_("e.g. SOP-QA-012"))
    title = models.CharField(_("title"), max_length=200)
    title_ja = models.CharField(_("title in Japanese"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    validity_months = models.PositiveSmallIntegerField(
        _("valid for (months)"),
        null=True,
        blank=True,
        # Zero would read as "never expires" to one rule and "expired on the day" to another: empty says never.
        validators=[MinValueValidator(1, _("At least one month; leave it empty when training never expires."))],
        help_text=_("Leave empty when training never expires."),
    )
    needs_evaluation = models.BooleanField(
        _("needs an on-the-job evaluation"), default=False, help_text=_("A record then needs its evaluator.")
    )
    requires_qa_approval = models.BooleanField(
        _("requires QA approval"),
        default=False,
        help_text=_("A record then counts towards qualification only once QA has signed it “approved”."),
    )

    objects = AuditedQuerySet.as_manager()
    history = audit_history()

    class Meta:
        ordering = ["code"]
        verbose_name = _("training requirement")
        verbose_name_plural = _("training requirements")
        constraints = [
            models.CheckConstraint(
                condition=Q(validity_months__isnull=True) | Q(validity_months__gte=1),
                name="requirement_validity_at_least_a_month",
                violation_error_message=_("At least one month; leave it empty when training never expires."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.display_title}"

    @classmethod
    def name_expression(cls, prefix: str = "") -> models.Expression:
        """``str()`` as SQL (``audit/names.py``)."""
        return Concat(F(prefix + "code"), Value(" "), local_name_expression(prefix + "title", prefix + "title_ja"))

    @property
    def display_title(self) -> str:
        return local_name(self.title, self.title_ja)


class RequirementVersion(models.Model):
    """A version of a requirement and the day it takes effect; from then on, older training is superseded."""

    requirement = models.ForeignKey(
        Requirement, on_delete=models.PROTECT, related_name="versions", verbose_name=_("requirement")
    )
    version = models.PositiveSmallIntegerField(_("version"))
    effective_from = models.DateField(_("effective from"))

    objects = AuditedQuerySet.as_manager()
    history = audit_history()

    class Meta:
        ordering = ["requirement", "version"]
        verbose_name = _("requirement version")
        verbose_name_plural = _("requirement versions")
        constraints = [
            models.UniqueConstraint(
                fields=["requirement", "version"],
                name="requirement_version_once",
                violation_error_message=_("This requirement already has this version."),
            ),
            models.UniqueConstraint(
                fields=["requirement", "effective_from"],
                name="requirement_version_one_per_day",
                violation_error_message=_("Another version of this requirement takes effect that day."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.requirement.code} v{self.version}"

    @classmethod
    def name_expression(cls, prefix: str = "") -> models.Expression:
        """``str()`` as SQL (``audit/names.py``)."""
        return Concat(
            F(prefix + "requirement__code"), Value(" v"), F(prefix + "version"), output_field=models.CharField()
        )

    def clean(self) -> None:
        if not self.requirement_id or self.version is None or self.effective_from is None:
            return
        others = RequirementVersion.objects.filter(requirement_id=self.requirement_id).exclude(pk=self.pk)
        out_of_order = others.filter(
            Q(version__lt=self.version, effective_from__gte=self.effective_from)
            | Q(version__gt=self.version, effective_from__lte=self.effective_from)
        )
        if out_of_order.exists():
            message = _("A later version must take effect after the earlier ones.")
            raise ValidationError({"effective_from": ValidationError(message, code="version_order")})


class Curriculum(models.Model):
    """The requirements for one function, at one site or everywhere."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    name_ja = models.CharField(_("name in Japanese"), max_length=200, blank=True)
    function = models.CharField(_("function"), max_length=30, choices=Function.choices)
    site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="curricula",
        verbose_name=_("site"),
        help_text=_("Leave empty for a curriculum that applies at every site."),
    )
    requirements = models.ManyToManyField(Requirement, related_name="curricula", verbose_name=_("requirements"))

    objects = AuditedQuerySet.as_manager()
    history = audit_history(m2m_fields=("requirements",))

    class Meta:
        ordering = ["name"]
        verbose_name = _("curriculum")
        verbose_name_plural = _("curricula")

    def __str__(self) -> str:
        return self.display_name

    @classmethod
    def name_expression(cls, prefix: str = "") -> models.Expression:
        """``str()`` as SQL (``audit/names.py``)."""
        return local_name_expression(prefix + "name", prefix + "name_ja")

    @property
    def display_name(self) -> str:
        return local_name(self.name, self.name_ja)


class TrainingRecord(models.Model):
    class Result(models.TextChoices):
        PASSED = "passed", _("Passed")
        FAILED = "failed", _("Failed")

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="training_records", verbose_name=_("person")
    )
    requirement = models.ForeignKey(
        Requirement, on_delete=models.PROTECT, related_name="records", verbose_name=_("requirement")
    )
    version = models.ForeignKey(
        RequirementVersion, on_delete=models.PROTECT, related_name="records", verbose_name=_("version trained on")
    )
    completed_on = models.DateField(_("completed on"))
    trainer = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("trainer")
    )
    evaluator = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("evaluator")
    )
    result = models.CharField(_("result"), max_length=10, choices=Result.choices, default=Result.PASSED)
    evidence = models.CharField(
        _("evidence reference"), max_length=200, blank=True, help_text=_("e.g. the training form's document number")
    )
    exchange = models.ForeignKey(
        Exchange,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="training_records",
        verbose_name=_("during exchange"),
    )

    objects = AuditedQuerySet.as_manager()
    history = audit_history()

    class Meta:
        ordering = ["-completed_on", "person__name"]
        verbose_name = _("training record")
        verbose_name_plural = _("training records")
        indexes = [
            models.Index(fields=["person", "requirement", "completed_on"], name="training_person_req_day"),
            # The admin list's order, newest first, read backwards.
            models.Index(fields=["completed_on", "id"], name="training_completed_on"),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.version} ({self.completed_on:%Y-%m-%d})"

    def get_absolute_url(self) -> str:
        return reverse("training:person", args=[self.person_id]) + f"#record-{self.pk}"

    @classmethod
    def name_expression(cls, prefix: str = "") -> models.Expression:
        """``str()`` as SQL (``audit/names.py``)."""
        return Concat(
            Person.name_expression(prefix + "person__"),
            Value(" — "),
            RequirementVersion.name_expression(prefix + "version__"),
            Value(" ("),
            iso_date(prefix + "completed_on"),
            Value(")"),
        )

    @property
    def expires_on(self) -> datetime.date | None:
        """The first day the training is no longer valid (None when the requirement never expires)."""
        months = self.requirement.validity_months
        return add_months(self.completed_on, months) if months else None

    def clean(self) -> None:
        errors = {}
        if self.version_id and self.requirement_id and self.version.requirement_id != self.requirement_id:
            errors["version"] = ValidationError(
                _("This version belongs to another requirement."), code="version_other_requirement"
            )
        elif self.version_id and self.completed_on and self.version.effective_from > self.completed_on:
            errors["version"] = ValidationError(
                _("Version %(version)s only took effect on %(day)s.")
                % {
                    "version": self.version.version,
                    "day": date_format(self.version.effective_from, "SHORT_DATE_FORMAT"),
                },
                code="version_not_yet_effective",
            )
        if self.completed_on and self.completed_on > timezone.localdate():
            errors["completed_on"] = ValidationError(
                _("Training cannot be completed in the future."), code="completed_in_future"
            )
        if self.requirement_id and self.requirement.needs_evaluation and not self.evaluator_id:
            errors["evaluator"] = ValidationError(
                _("This requirement needs an on-the-job evaluation: name the evaluator."), code="evaluator_missing"
            )
        if self.exchange_id and self.person_id and self.exchange.person_id != self.person_id:
            errors["exchange"] = ValidationError(_("That exchange is another person's."), code="exchange_other_person")
        if errors:
            raise ValidationError(errors)


class ImportUpload(models.Model):
    """A spreadsheet uploaded for import: held until it is imported, cancelled or a day old, then deleted.

    Not a record: the import itself is (TrainingImport). The preview and the confirmation refer to it by its id,
    never by a file name, and the confirmation re-checks ``sha256`` against ``content``.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True, db_index=True)
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    file_format = models.CharField(_("format"), max_length=10)
    encoding = models.CharField(_("encoding"), max_length=30, blank=True)
    content = models.BinaryField(_("content"))
    # What the last preview showed: the digest of its rows and, for each record it would update, that record's
    # version then. The confirmation imports only when both still hold.
    previewed_digest = models.CharField(_("digest of the previewed rows"), max_length=64, blank=True)
    previewed_versions = models.JSONField(_("versions of the previewed records"), default=dict, blank=True)

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("uploaded spreadsheet")
        verbose_name_plural = _("uploaded spreadsheets")

    def __str__(self) -> str:
        return self.file_name


class TrainingImport(models.Model):
    """One confirmed import of training records from a spreadsheet: who, when, which file, what changed, why."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("imported by")
    )
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64, help_text=_("Of the file as uploaded."))
    file_format = models.CharField(_("format"), max_length=10)
    encoding = models.CharField(_("encoding"), max_length=30, blank=True)
    rows_created = models.PositiveIntegerField(_("records created"))
    rows_updated = models.PositiveIntegerField(_("records updated"))
    rows_unchanged = models.PositiveIntegerField(_("rows unchanged"))
    reason = models.TextField(_("reason"))

    objects = AuditedQuerySet.as_manager()
    history = audit_history()

    class Meta:
        ordering = ["-imported_at"]
        verbose_name = _("training-record import")
        verbose_name_plural = _("training-record imports")

    def __str__(self) -> str:
        return f"#{self.pk} {self.file_name}"

    @classmethod
    def name_expression(cls, prefix: str = "") -> models.Expression:
        """``str()`` as SQL (``audit/names.py``)."""
        return Concat(
            Value("#"), F(prefix + "id"), Value(" "), F(prefix + "file_name"), output_field=models.CharField()
        )


# The summaries derived from these records, in a module of their own.
from training.derived import Clearance, ClearanceCount, Holding  # noqa: E402

__all__ = [
    "Clearance",
    "ClearanceCount",
    "Curriculum",
    "Holding",
    "ImportUpload",
    "Requirement",
    "RequirementVersion",
    "TrainingImport",
    "TrainingRecord",
    "add_months",
]
