from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from audit.history import AuditedQuerySet, audit_history
from governance.models.decision import Decision
from governance.models.meeting import Meeting
from partners.models import Company, Partnership, Person, Site

DONE_NEEDS_DATE = _("A done action needs the day it was done.")
DATE_MEANS_DONE = _("Only a done action has the day it was done.")


class ActionQuerySet(AuditedQuerySet):
    def open(self) -> ActionQuerySet:
        return self.filter(status=Action.Status.OPEN)

    def overdue(self, today: datetime.date) -> ActionQuerySet:
        """Open actions whose due date has passed (due today is not overdue yet)."""
        return self.open().filter(due_on__lt=today)

    def for_list(self) -> ActionQuerySet:
        return self.select_related("partnership", "owner", "decision", "meeting")

    def filtered(
        self,
        *,
        partnership: Partnership | None = None,
        site: Site | None = None,
        company: Company | None = None,
        start: datetime.date | None = None,
        end: datetime.date | None = None,
    ) -> ActionQuerySet:
        """The actions a page or an export shows (``None`` leaves a filter off).

        A site means actions owned by people based there; a company, owned by its employees; the window is the
        due date.
        """
        rows = self
        if partnership:
            rows = rows.filter(partnership=partnership)
        if site:
            rows = rows.filter(owner__home_site=site)
        if company:
            rows = rows.filter(owner__employer=company)
        if start:
            rows = rows.filter(due_on__gte=start)
        if end:
            rows = rows.filter(due_on__lte=end)
        return rows


class ActionStatus(models.TextChoices):
    """An action's state (``Action.Status``); module-level so the model's constraints can name its members."""

    OPEN = "open", _("Open")
    DONE = "done", pgettext_lazy("an action", "Done")
    CANCELLED = "cancelled", _("Cancelled")


class Action(models.Model):
    Status = ActionStatus

    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="actions", verbose_name=_("partnership")
    )
    title = models.CharField(_("title"), max_length=200)
    owner = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="actions", verbose_name=_("owner"))
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    decision = models.ForeignKey(
        Decision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("from decision"),
    )
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("from meeting"),
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)

    objects = ActionQuerySet.as_manager()
    history = audit_history()

    class Meta:
        ordering = ["due_on", "title"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        indexes = [models.Index(fields=["status", "due_on"], name="action_status_due")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=ActionStatus.DONE) | Q(done_on__isnull=False),
                name="action_done_has_date",
                violation_error_message=DONE_NEEDS_DATE,
            ),
            models.CheckConstraint(
                condition=Q(status=ActionStatus.DONE) | Q(done_on__isnull=True),
                name="action_date_only_when_done",
                violation_error_message=DATE_MEANS_DONE,
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        if self.meeting_id:
            return reverse("governance:meeting_detail", args=[self.meeting_id])
        if self.decision_id:
            return reverse("governance:decision_detail", args=[self.decision_id])
        return reverse("governance:my_actions")

    @classmethod
    def name_expression(cls, prefix: str = "") -> models.Expression:
        """``str()`` as SQL (``audit/names.py``)."""
        return F(prefix + "title")

    def is_overdue(self, today: datetime.date) -> bool:
        return self.status == self.Status.OPEN and self.due_on < today

    def clean(self) -> None:
        errors: dict[str, list[ValidationError]] = {}

        def add(field: str, message, code: str) -> None:
            errors.setdefault(field, []).append(ValidationError(message, code=code))

        if self.status == self.Status.DONE and not self.done_on:
            add("done_on", DONE_NEEDS_DATE, "done_without_date")
        if self.done_on and self.status != self.Status.DONE:
            add("status", DATE_MEANS_DONE, "date_without_done")
        if self.done_on and self.done_on > timezone.localdate():
            add("done_on", _("An action cannot be done on a day still to come."), "done_in_future")
        if self.partnership_id:
            self._check_sources(add)
            if self.owner_id and self.partnership.party_of(self.owner) is None:
                add(
                    "owner",
                    _("%(person)s works for none of the parties to %(partnership)s.")
                    % {"person": self.owner, "partnership": self.partnership},
                    "owner_not_party",
                )
        if errors:
            raise ValidationError(errors)

    def _check_sources(self, add) -> None:
        meeting, decision = self.meeting if self.meeting_id else None, self.decision if self.decision_id else None
        if meeting and meeting.partnership_id != self.partnership_id:
            add("meeting", _("This meeting belongs to another partnership."), "meeting_other_partnership")
        if decision and decision.partnership_id != self.partnership_id:
            add("decision", _("This decision belongs to another partnership."), "decision_other_partnership")
        # An action is set when its meeting is held: it cannot fall due before then.
        if meeting and self.due_on and self.due_on < meeting.held_on:
            add(
                "due_on",
                _("The meeting that set this action was held on %(held)s: it cannot be due before that.")
                % {"held": date_format(meeting.held_on, "SHORT_DATE_FORMAT")},
                "due_before_meeting",
            )
        if decision and decision.meeting_id and self.due_on and self.due_on < decision.meeting.held_on:
            add(
                "due_on",
                _("Decision %(number)s was taken on %(held)s: its action cannot be due before that.")
                % {"number": decision.number, "held": date_format(decision.meeting.held_on, "SHORT_DATE_FORMAT")},
                "due_before_decision",
            )
