from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from audit.history import AuditedQuerySet, audit_history


class ExportRecord(models.Model):
    """One export of records: who took what, when, with which filters. On the audit trail like any record."""

    class Source(models.TextChoices):
        WEB = "web", _("Web")
        COMMAND = "command", _("Command line")

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
