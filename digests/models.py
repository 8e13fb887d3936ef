from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DigestSent(models.Model):
    """One user's digest for one day of their own calendar, written in the transaction that sends it.

    The unique (user, day) pair is what keeps a digest from going out twice: of two runs at once, the second one's
    insert waits for the first to commit and then fails, so it skips the user (``digests.services``).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="digests_sent", verbose_name=_("user")
    )
    day = models.DateField(_("day"), help_text=_("The day in the user's own time zone."))
    sent_at = models.DateTimeField(_("sent at"))
    # What the digest said, as the command's output line reads (kept for support questions, never shown to users).
    summary = models.CharField(_("summary"), max_length=300, blank=True)

    class Meta:
        ordering = ["-day", "user"]
        verbose_name = _("digest sent")
        verbose_name_plural = _("digests sent")
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="digest_once_per_user_and_day")]

    def __str__(self) -> str:
        return f"{self.user} — {self.day:%Y-%m-%d}"
