"""Names as people expect to read them: the Japanese name in Japanese, the Latin name otherwise."""

from __future__ import annotations

from django.db import models
from django.db.models import Case, F, Q, When
from django.utils.translation import get_language


def japanese_active() -> bool:
    return (get_language() or "").startswith("ja")


def local_name(latin: str, japanese: str) -> str:
    """The Japanese name when the page is in Japanese and one is known; the Latin name otherwise."""
    return japanese if japanese and japanese_active() else latin


def local_name_expression(latin: str, japanese: str) -> models.Expression:
    """``local_name`` of two fields (paths) as SQL, for the language active now."""
    if not japanese_active():
        return F(latin)
    return Case(When(~Q(**{japanese: ""}), then=F(japanese)), default=F(latin), output_field=models.CharField())
