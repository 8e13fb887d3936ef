from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from audit.history import AuditedQuerySet, audit_history
from audit.names import formatted_date
from partners.models import Partnership, Person


class Body(models.TextChoices):
    """The committee that meets and decides; a decision's number starts with its prefix."""

    JSC = "jsc", _("Joint steering committee")
    WORKING_GROUP = "working_group", _("Working group")

    @property
    def prefix(self) -> str:
        # Working groups number apart from the JSC so that the JSC's own series has no gaps: an auditor reading
        # JSC-2026-03 after JSC-2026-01 asks where 02 went.
        return {"jsc": "JSC", "working_group": "WG"}[self.value]


class MeetingQuerySet(AuditedQuerySet):
    def for_list(self) -> MeetingQuerySet:
        return self.select_related("partnership")

    def filtered(
        self,
        *,
        partnership: Partnership | None = None,
        start: datetime.date | None = None,
        end: datetime.date | None = None,
    ) -> MeetingQuerySet:
        rows = self
        if partnership:
            rows = rows.filter(partnership=partnership)
        if start:
            rows = rows.filter(held_on__gte=start)
        if end:
            rows = rows.filter(held_on__lte=end)
        return rows


class Meeting(models.Model):
    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("partnership")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Body.choices, default=Body.JSC)
    held_on = models.DateField(_("held on"))
    title = models.CharField(_("title"), max_length=200)
    attendees = models.ManyToManyField(Person, blank=True, related_name="meetings", verbose_name=_("attendees"))
    minutes = models.TextField(_("minutes"), blank=True)

    objects = MeetingQuerySet.as_manager()
    history = audit_history(m2m_fields=("attendees",))

    class Meta:
        ordering = ["-held_on", "title"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        indexes = [models.Index(fields=["partnership", "held_on"], name="meeting_partnership_held")]

    def __str__(self) -> str:
        return f"{self.title} ({date_format(self.held_on, 'SHORT_DATE_FORMAT')})" if self.held_on else self.title

    def get_absolute_url(self) -> str:
        return reverse("governance:meeting_detail", args=[self.pk])

    @classmethod
    def name_expression(cls, prefix: str = "") -> models.Expression | None:
        """``str()`` as SQL (``audit/names.py``); None where the date's format writes words (month names)."""
        held_on = formatted_date(prefix + "held_on", "SHORT_DATE_FORMAT")
        if held_on is None:
            return None
        # held_on is required: the name always carries it.
        return Concat(F(prefix + "title"), Value(" ("), held_on, Value(")"))

    def validate_attendees(self, people: Iterable[Person]) -> None:
        """Attendees work for the parties; a steering committee meeting has someone from each of them."""
        people = list(people)
        self.partnership.validate_people(people, code="attendee_not_party")
        if self.kind == Body.JSC and people:
            present = {self.partnership.party_of(person) for person in people}
            missing = [party for party in self.partnership.parties.all() if party not in present]
            if missing:
                raise ValidationError(
                    _("A joint steering committee meeting needs attendees from every party; none from %(parties)s.")
                    % {"parties": ", ".join(str(party) for party in missing)},
                    code="attendees_one_sided",
                )
