from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from audit.history import AuditedQuerySet, audit_history
from partners.models.company import Company
from partners.models.site import Site
from partners.names import local_name, local_name_expression


class Function(models.TextChoices):
    """The line of work a person belongs to, and the area an exchange trains them in."""

    MANUFACTURING = "manufacturing", _("Manufacturing")
    QUALITY_ASSURANCE = "quality_assurance", _("Quality assurance")
    QUALITY_CONTROL = "quality_control", _("Quality control")
    PROCESS_DEVELOPMENT = "process_development", _("Process development")
    ENGINEERING = "engineering", _("Engineering and facilities")
    SUPPLY_CHAIN = "supply_chain", _("Supply chain")
    REGULATORY = "regulatory", _("Regulatory affairs")
    BUSINESS = "business", _("Business and alliance management")


class EmailAddressField(models.EmailField):
    """An email address kept in lower case, as mail systems compare them: one mailbox is one address.

    Django normalises a value in its field's ``to_python`` (run by ``full_clean()``); ``pre_save`` applies the same
    to a save that skipped it, so no path stores an address in mixed case.
    """

    def to_python(self, value):
        value = super().to_python(value)
        return value.strip().lower() if isinstance(value, str) else value

    def pre_save(self, model_instance, add):
        value = self.to_python(super().pre_save(model_instance, add))
        setattr(model_instance, self.attname, value)
        return value

    def deconstruct(self):
        # The column is an EmailField's: migrations see one, so a change in Python alone never rebuilds the table
        # (SQLite would copy the audited history table for nothing).
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.EmailField", args, kwargs


class Person(models.Model):
    """Someone at a partner company. Not a user account: most partner staff never log in."""

    name = models.CharField(_("name"), max_length=200, help_text=_("In Latin script, as on the person's ID badge."))
    name_ja = models.CharField(_("name in Japanese"), max_length=200, blank=True)
    employer = models.ForeignKey(
        Company, on_delete=models.PROTECT, related_name="employees", verbose_name=_("employer")
    )
    home_site = models.ForeignKey(
        Site, on_delete=models.PROTECT, null=True, blank=True, related_name="people", verbose_name=_("home site")
    )
    function = models.CharField(_("function"), max_length=30, choices=Function.choices)
    job_title = models.CharField(_("job title"), max_length=200, blank=True)
    email = EmailAddressField(_("email"), blank=True)
    active = models.BooleanField(_("active"), default=True, help_text=_("Clear when the person leaves; never delete."))
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="person",
        verbose_name=_("user account"),
        help_text=_("The login of this person, if they have one: it shows them their actions and lets them co-chair."),
    )

    objects = AuditedQuerySet.as_manager()
    history = audit_history()

    class Meta:
        ordering = ["name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        # The admin list's order.
        indexes = [models.Index(fields=["name", "id"], name="person_name")]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=~Q(email=""),
                name="person_email_unique",
                violation_error_message=_("Another person already has this email address."),
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

    @property
    def badge_name(self) -> str:
        """The Latin name, where the page shows the Japanese one: it is what the person's ID badge says."""
        return self.name if self.display_name != self.name else ""

    def clean(self) -> None:
        if self.home_site_id and self.employer_id and self.home_site.company.group != self.employer.group:
            message = _("%(site)s belongs to %(owner)s, which is not in %(employer)s's group.") % {
                "site": self.home_site,
                "owner": self.home_site.company,
                "employer": self.employer,
            }
            raise ValidationError({"home_site": ValidationError(message, code="home_site_other_group")})
