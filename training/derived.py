"""The summaries derived from the training records, never entered: each person's clearance (``training/clearance.py``)
and its sum, and each person's held qualifications (``training/holdings.py``). Every write they depend on rewrites
them; the dashboard reads them."""

from __future__ import annotations

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

from partners.models import Function, Person, Site


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
    requirement = models.ForeignKey(
        "training.Requirement", models.CASCADE, related_name="+", verbose_name=_("requirement")
    )
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
