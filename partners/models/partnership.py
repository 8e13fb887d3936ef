from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from audit.history import AuditedQuerySet, audit_history
from partners.models.company import Company
from partners.models.person import Person
from partners.names import local_name, local_name_expression


# Defined before Partnership: its history snapshots these links, so the class must exist first.
class PartnershipParty(models.Model):
    partnership = models.ForeignKey(
        "partners.Partnership", on_delete=models.PROTECT, related_name="party_links", verbose_name=_("partnership")
    )
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+", verbose_name=_("company"))

    class Meta:
        ordering = ["partnership", "company__name"]
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "company"],
                name="partnership_party_once",
                violation_error_message=_("This company is already a party to the partnership."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company} — {self.partnership}"


class PartnershipStatus(models.TextChoices):
    """A partnership's state (``Partnership.Status``); module-level so the model's constraints can name its members."""

    NEGOTIATING = "negotiating", _("In negotiation")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    ENDED = "ended", _("Ended")


class Partnership(models.Model):
    Status = PartnershipStatus

    name = models.CharField(_("name"), max_length=200, unique=True)
    name_ja = models.CharField(_("name in Japanese"), max_length=200, blank=True)
    parties = models.ManyToManyField(
        Company, through=PartnershipParty, related_name="partnerships", verbose_name=_("parties")
    )
    announced_on = models.DateField(_("announced on"), null=True, blank=True)
    signed_on = models.DateField(
        _("signed on"), null=True, blank=True, help_text=_("No exchange can start before this date.")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEGOTIATING)
    scope = models.TextField(_("scope"), help_text=_("What the parties agreed to do together; it may grow over time."))
    co_chairs = models.ManyToManyField(
        Person,
        blank=True,
        related_name="co_chaired_partnerships",
        verbose_name=_("co-chairs"),
        help_text=_("Who may approve the steering committee's decisions for each party."),
    )

    objects = AuditedQuerySet.as_manager()
    history = audit_history(m2m_fields=("parties", "co_chairs"))

    class Meta:
        ordering = ["-signed_on", "name"]
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        constraints = [
            models.CheckConstraint(
                condition=Q(signed_on__isnull=False) | Q(status=PartnershipStatus.NEGOTIATING),
                name="partnership_signed_unless_negotiating",
                violation_error_message=_("Only a partnership in negotiation can be without a signing date."),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @classmethod
    def name_expression(cls, prefix: str = "") -> models.Expression:
        """``str()`` as SQL (``audit/names.py``)."""
        return local_name_expression(prefix + "name", prefix + "name_ja")

    @property
    def display_name(self) -> str:
        return local_name(self.name, self.name_ja)

    @staticmethod
    def validate_parties(companies: Iterable[Company]) -> None:
        """Two or more parties, none inside another party's group (a subsidiary acts for its parent)."""
        companies = list(companies)
        if len(companies) < 2:
            raise ValidationError(_("A partnership needs at least two parties."), code="too_few_parties")
        ids = {company.pk for company in companies}
        for company in companies:
            for ancestor in list(company.lineage())[1:]:
                if ancestor.pk in ids:
                    raise ValidationError(
                        _(
                            "%(company)s is part of %(parent)s's group, which is already a party: "
                            "a subsidiary acts for its parent, so list only the parent."
                        )
                        % {"company": company, "parent": ancestor},
                        code="party_in_party_group",
                    )

    def party_for(self, company: Company, *, parties: Iterable[Company] | None = None) -> Company | None:
        """The party that ``company`` acts for: itself or the nearest parent that is a party.

        ``parties`` checks against parties about to be set (a form's) instead of the stored ones.
        """
        party_ids = {party.pk for party in (self.parties.all() if parties is None else parties)}
        for member in company.lineage():
            if member.pk in party_ids:
                return member
        return None

    def party_of(self, person: Person, *, parties: Iterable[Company] | None = None) -> Company | None:
        """The party ``person`` works for: their employer, or the party their employer is a subsidiary of."""
        return self.party_for(person.employer, parties=parties)

    def validate_people(
        self, people: Iterable[Person], *, code: str = "person_not_party", parties: Iterable[Company] | None = None
    ) -> None:
        """Refuse anyone who works for none of the parties (attendees, co-chairs, owners)."""
        if parties is None:
            parties = list(self.parties.all())
        outsiders = [person for person in people if self.party_of(person, parties=parties) is None]
        if outsiders:
            raise ValidationError(
                _("%(people)s work for none of the parties to %(partnership)s.")
                % {"people": ", ".join(str(person) for person in outsiders), "partnership": self},
                code=code,
            )

    def co_chairs_by_party(self) -> dict[Company, list[Person]]:
        """Each party, in name order, with its co-chairs (an empty list for a party that has none yet)."""
        parties = list(self.parties.order_by("name"))
        by_party: dict[Company, list[Person]] = {party: [] for party in parties}
        ids = {party.pk: party for party in parties}
        for person in self.co_chairs.select_related("employer__parent__parent__parent"):
            party = next((ids[c.pk] for c in person.employer.lineage() if c.pk in ids), None)
            if party is not None:
                by_party[party].append(person)
        return by_party
