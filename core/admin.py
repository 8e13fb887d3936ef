"""What every admin page shares: a search that stays cheap whatever is typed into it."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.utils.text import smart_split, unescape_string_literal
from django.utils.translation import gettext, ngettext

from core.text import text_width


@dataclass(frozen=True)
class BoundedSearch:
    term: str
    too_short: int = 0
    beyond_limit: int = 0


def width(word: str) -> int:
    """Characters, with a Japanese (full-width) one counting as two: 林 is a surname, "a" matches everything."""
    return text_width(word)


def bound_search(term: str) -> BoundedSearch:
    """The words of an admin search that will run: at most ADMIN_SEARCH_MAX_WORDS, none shorter than the minimum.

    The admin turns every word into a LIKE over every search field, so 500 words meant thousands of LIKEs.
    Words are split as the admin splits them (quoted phrases stay one word).
    """
    kept, too_short, beyond = [], 0, 0
    for bit in smart_split(term):
        word = unescape_string_literal(bit) if bit.startswith(('"', "'")) and bit[0] == bit[-1] else bit
        if width(word.strip()) < settings.ADMIN_SEARCH_MIN_WORD_LENGTH:
            too_short += 1
        elif len(kept) >= settings.ADMIN_SEARCH_MAX_WORDS:
            beyond += 1
        else:
            kept.append(bit)
    return BoundedSearch(" ".join(kept), too_short, beyond)


def explain(bounded: BoundedSearch) -> str:
    parts = []
    if bounded.beyond_limit:
        parts.append(
            ngettext(
                "Searched for the first %(limit)d words; %(count)d more was left out.",
                "Searched for the first %(limit)d words; %(count)d more were left out.",
                bounded.beyond_limit,
            )
            % {"limit": settings.ADMIN_SEARCH_MAX_WORDS, "count": bounded.beyond_limit}
        )
    if bounded.too_short:
        parts.append(
            ngettext(
                "Left out %(count)d word shorter than %(min)d characters.",
                "Left out %(count)d words shorter than %(min)d characters.",
                bounded.too_short,
            )
            % {"count": bounded.too_short, "min": settings.ADMIN_SEARCH_MIN_WORD_LENGTH}
        )
    return " ".join(parts)


class BoundedSearchMixin:
    """For every ModelAdmin with a search box (tests/core/test_limits.py checks that each one has it)."""

    def get_search_results(self, request, queryset, search_term):
        bounded = bound_search(search_term)
        if (bounded.too_short or bounded.beyond_limit) and _is_changelist(request):
            note = explain(bounded)
            if not bounded.term:
                note = " ".join([note, gettext("Showing the list unsearched.")])
            messages.warning(request, note)
        return super().get_search_results(request, queryset, bounded.term)


def _is_changelist(request) -> bool:
    # The autocomplete view searches too, answering JSON: a message there would surface on some later page.
    match = getattr(request, "resolver_match", None)
    return bool(match and match.url_name and match.url_name.endswith("_changelist"))
