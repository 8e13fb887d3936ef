from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.history import AuditedQuerySet, audit_history


class ExportRecord(models.Model):
    """One export of records: who took what, when, with which filters. On the audit trail like any record."""

    class Source(models.TextChoices):
        WEB = "web", _("Web")
        COMMAND = "command", _("Command line")
        JOB = "job", _("Background job")
        # A finished job's stored file, taken again by its requester or an administrator.
        DOWNLOAD = "download", _("Download of a job's file")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    exported_at = models.DateTimeField(_("exported at"), auto_now_add=True)
    dataset = models.CharField(_("dataset"), max_length=30)
    format = models.CharField(_("format"), max_length=10)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    row_count = models.BigIntegerField(_("rows"))
    sha256 = models.CharField(
        _("SHA-256"),
        max_length=64,
        blank=True,
        help_text=_("Of the file as sent, when it was complete before sending."),
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.WEB)

    objects = AuditedQuerySet.as_manager()
    history = audit_history()

    class Meta:
        ordering = ["-exported_at"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        permissions = [("export_records", _("Can export records and the audit trail"))]

    def __str__(self) -> str:
        return f"{self.dataset}.{self.format} ({self.row_count} rows)"

    @classmethod
    def name_expression(cls, prefix: str = "") -> models.Expression:
        """``str()`` as SQL (``audit/names.py``)."""
        return Concat(
            F(prefix + "dataset"),
            Value("."),
            F(prefix + "format"),
            Value(" ("),
            F(prefix + "row_count"),
            Value(" rows)"),
            output_field=models.CharField(),
        )


class ExportSlot(models.Model):
    """An export being produced or sent. A user holds at most EXPORT_SLOTS_PER_USER of them at once.

    Rows in the database, so every worker process sees the same slots; numbered, so the unique constraint
    (not a read-then-write) decides who gets the last one. Not on the audit trail: the ExportRecord is the
    record of an export; a slot only exists while one runs.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["started_at"]
        verbose_name = _("export in progress")
        verbose_name_plural = _("exports in progress")
        default_permissions = ()  # nobody manages slots by hand
        constraints = [models.UniqueConstraint(fields=["user", "number"], name="one_export_per_slot")]

    def __str__(self) -> str:
        return f"{self.user_id}#{self.number} since {self.started_at:%H:%M:%S}"


class ExportJobQuerySet(models.QuerySet):
    def active(self):
        """Queued or running, and not stale (a job whose worker was lost stops counting against its requester)."""
        stale = timezone.now() - datetime.timedelta(hours=settings.EXPORT_JOB_STALE_HOURS)
        return self.filter(state__in=ExportJob.State.active(), created_at__gte=stale)

    def stale(self):
        stale = timezone.now() - datetime.timedelta(hours=settings.EXPORT_JOB_STALE_HOURS)
        return self.filter(state__in=ExportJob.State.active(), created_at__lt=stale)

    def past_keeping(self):
        """Finished files older than EXPORT_JOB_KEEP_HOURS."""
        cutoff = timezone.now() - datetime.timedelta(hours=settings.EXPORT_JOB_KEEP_HOURS)
        return self.filter(state=ExportJob.State.DONE, finished_at__lt=cutoff)

    def visible_to(self, user):
        """A requester sees their own jobs; an administrator sees everyone's."""
        return self if user.is_superuser else self.filter(requester=user)


class ExportJob(models.Model):
    """An export produced in the background: its progress, then its stored file for a while.

    Operational, like ExportSlot, so not on the audit trail itself: the file's creation and every download of it
    are ExportRecords (sources "job" and "download"), which are.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

        @classmethod
        def active(cls) -> list[str]:
            return [cls.QUEUED, cls.RUNNING]

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    dataset = models.CharField(_("dataset"), max_length=30)
    format = models.CharField(_("format"), max_length=10)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    rows_done = models.BigIntegerField(_("rows done"), default=0)
    rows_expected = models.BigIntegerField(_("rows expected"), null=True, blank=True)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now, db_index=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    file_name = models.CharField(_("stored file"), max_length=255, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.BigIntegerField(_("size in bytes"), null=True, blank=True)
    manifest = models.JSONField(_("manifest"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    record = models.ForeignKey(
        ExportRecord, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("export")
    )

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        default_permissions = ()  # made through the export pages only
        indexes = [models.Index(fields=["requester", "state"], name="export_job_requester_state")]
        constraints = [
            models.CheckConstraint(condition=models.Q(rows_done__gte=0), name="export_job_rows_done_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.dataset}.{self.format} #{self.pk} ({self.state})"

    def get_absolute_url(self) -> str:
        return reverse("exports:job", args=[self.pk])

    @property
    def percent(self) -> int | None:
        if self.state == self.State.DONE:
            return 100
        if not self.rows_expected:
            return None
        return min(100, self.rows_done * 100 // self.rows_expected)

    @property
    def finished(self) -> bool:
        return self.state not in self.State.active()

    @property
    def file_label(self) -> str:
        return f"{self.dataset}-{self.created_at:%Y%m%d-%H%M%S}.{self.format}"

    @property
    def expires_at(self) -> datetime.datetime | None:
        if self.state != self.State.DONE or self.finished_at is None:
            return None
        return self.finished_at + datetime.timedelta(hours=settings.EXPORT_JOB_KEEP_HOURS)
