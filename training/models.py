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


class Clearance(models.Model):
    """Derived, never entered: whether a person is cleared for every curriculum that applies to them, from
    ``computed_on`` until ``cleared_until``, as ``training/clearance.py`` reads it off their records.

    A summary for the dashboard's count, not a record: every write it depends on rewrites it in the same
    transaction (or, changing what everyone needs, drops it there and rebuilds it after commit), ``rebuild_clearances``
    rewrites it whole, and where it cannot answer for a day the count falls back to the records themselves.
    """

    person = models.OneToOneField(
        Person, on_delete=models.CASCADE, primary_key=True, related_name="clearance", verbose_name=_("person")
    )
    computed_on = models.DateField(_("computed on"))
    cleared = models.BooleanField(_("cleared"))
    cleared_until = models.DateField(
        _("cleared until"), null=True, blank=True, help_text=_("The first day no longer cleared; empty for no end.")
    )
    answers_until = models.DateField(
        _("answers until"),
        null=True,
        blank=True,
        help_text=_("The first day a record completed after the computation decides; empty for every later day."),
    )
    # The person as the row was computed for, so that rewriting the row takes it from the count it was in.
    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("home site")
    )
    function = models.CharField(_("function"), max_length=30, choices=Function.choices, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["person"]
        verbose_name = _("clearance (derived)")
        verbose_name_plural = _("clearances (derived)")
        indexes = [
            # Whether every row answers for a day: none computed after it, none that stops answering by it.
            models.Index(fields=["computed_on"], name="clearance_computed_on"),
            models.Index(fields=["answers_until"], name="clearance_answers_until"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: {'cleared' if self.cleared else 'not cleared'} ({self.computed_on:%Y-%m-%d})"


class ClearanceCount(models.Model):
    """Derived, never entered: how many active people based at a site, in one function, are cleared until one day
    (``training/clearance.py``): the clearance summary's rows added up, so the dashboard counts qualified people
    from a row per site, function and day a clearance ends, whatever the number of people."""

    # People not cleared are counted as cleared until the earliest day there is; cleared with no end, the latest.
    NOT_CLEARED = datetime.date.min
    NO_END = datetime.date.max

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+", verbose_name=_("site"))
    function = models.CharField(_("function"), max_length=30, choices=Function.choices)
    cleared_until = models.DateField(_("cleared until"), help_text=_("The first day no longer cleared."))
    people = models.IntegerField(_("people"), default=0)

    class Meta:
        ordering = ["site", "function", "cleared_until"]
        verbose_name = _("clearance count (derived)")
        verbose_name_plural = _("clearance counts (derived)")
        constraints = [
            models.UniqueConstraint(fields=["site", "function", "cleared_until"], name="clearance_count_unique")
        ]

    def __str__(self) -> str:
        return f"{self.site_id} {self.function} until {self.cleared_until}: {self.people}"


class Holding(models.Model):
    """Derived, never entered: for each person and requirement they hold a record of, the record that decides their
    qualification on ``computed_on`` and the first day it is no longer valid (``training/holdings.py``): the
    dashboard's count of what expires soon reads it, and every write it depends on rewrites it."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+", verbose_name=_("person"))
    requirement = models.ForeignKey(Requirement, models.CASCADE, related_name="+", verbose_name=_("requirement"))
    computed_on = models.DateField(_("computed on"))
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    valid_until = models.DateField(
        _("valid until"), null=True, blank=True, help_text=_("The first day no longer valid; empty for no end.")
    )
    answers_until = models.DateField(
        _("answers until"), null=True, blank=True, help_text=_("First day the row no longer answers; empty for none.")
    )

    class Meta:
        ordering = ["person", "requirement"]
        verbose_name = _("held qualification (derived)")
        verbose_name_plural = _("held qualifications (derived)")
        constraints = [models.UniqueConstraint(fields=["person", "requirement"], name="holding_once")]
        indexes = [
            # What expires soon: a range of expiry days in the list's order; then whether every row answers for a day.
            models.Index(fields=["expires_on", "completed_on", "valid_until"], name="holding_expiring"),
            models.Index(fields=["computed_on"], name="holding_computed_on"),
            models.Index(fields=["answers_until"], name="holding_answers_until"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}/{self.requirement_id}: until {self.valid_until or '—'} ({self.computed_on})"
