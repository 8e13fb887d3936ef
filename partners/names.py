"""Names as people expect to read them: the Japanese name in Japanese, the Latin name otherwise."""

from __future__ import annotations

from django.utils.translation import get_language


def japanese_active() -> bool:
    return (get_language() or "").startswith("ja")


def local_name(latin: str, japanese: str) -> str:
    """The Japanese name when the page is in Japanese and one is known; the Latin name otherwise."""
    return japanese if japanese and japanese_active() else latin
