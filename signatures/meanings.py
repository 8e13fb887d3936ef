"""What a signature means: the controlled list of 21 CFR 11.50(a)(3), translated."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Meaning(models.TextChoices):
    AUTHORED = "authored", _("Authored")
    REVIEWED = "reviewed", _("Reviewed")
    APPROVED = "approved", _("Approved")
    PERFORMED = "performed", _("Performed")
