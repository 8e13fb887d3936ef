"""The dashboard's panels, cached as drawn per filter set, language, time zone and day, and dropped by a write to
what they show.

Every cached entry's key carries its panel's generation. Each panel names the records it reads (``Panel.reads`` and
``Panel.refers_to`` in ``milestones/panels.py``); a write to one of them (a save or delete, a many-to-many change,
or an audited bulk write: admin, pages, API, imports, seeding alike) moves on the generation of the panels that read
it, so their next load computes afresh, and leaves the others' cached. Old entries are never read again and expire.
The key also carries the local date, so figures that depend on "today" are not served after midnight.

A record added to a table a panel reaches only through another's reference (a person's name beside their exchange, a
site's name beside its milestone) changes nothing the panel shows until a row the panel reads points to it, and that
row's own write moves the generation: so a new person without an exchange leaves the exchanges panel cached, while a
person renamed refreshes it.

The cache is Django's default one (``CACHE_URL``): local memory serves one process; several processes (gunicorn
workers, machines) need a shared cache such as Redis, or a write seen by one would not reach the others' entries.
"""

from __future__ import annotations

import datetime
import functools
import logging
import secrets
from collections.abc import Callable, Iterable

from django.core.cache import cache
from django.db import transaction
from django.db.models import Model
from django.utils import timezone, translation

logger = logging.getLogger(__name__)
GENERATION_KEY = "dashboard:generation:{}"
# Keys name their day, so an entry is useless after it; the timeout only returns the memory.
TIMEOUT = 26 * 3600


def generations(panels: Iterable[str]) -> dict[str, str]:
    """Each panel's generation, read together."""
    keys = {panel: GENERATION_KEY.format(panel) for panel in panels}
    found = cache.get_many(list(keys.values()))
    for key in keys.values():
        if key not in found:
            # A generation lost (evicted, restarted) is replaced by a new one, never by one an old entry carries.
            cache.add(key, secrets.token_hex(8), timeout=None)
            found[key] = cache.get(key, "")
    return {panel: found[key] for panel, key in keys.items()}


def generation(panel: str) -> str:
    return generations([panel])[panel]


def bump(panels: Iterable[str]) -> None:
    """New generations for these panels: fresh values set, not counts incremented, since a shared folder's increment
    is a read then a write, which a slower process could set back to a value entries drawn from the old rows carry."""
    try:
        cache.set_many({GENERATION_KEY.format(panel): secrets.token_hex(8) for panel in panels}, timeout=None)
    except Exception:
        # An unreachable cache must not refuse the write that called this: the record is what matters.
        logger.warning("The dashboard cache could not be told of a write; panels may show it late.", exc_info=True)


@functools.cache
def readers() -> tuple[dict[str, dict[str, Callable | None]], dict[str, dict[str, frozenset[str] | None]]]:
    """Model label → the panels that read its rows (each with its test of a row added, where it has one), and → the
    panels that reach it only through a reference (each with the only fields it shows of it, where it says)."""
    from milestones.panels import PANELS

    rows: dict[str, dict[str, Callable | None]] = {}
    referred: dict[str, dict[str, frozenset[str] | None]] = {}
    for panel in PANELS:
        if not panel.cached:
            continue
        for label in panel.reads:
            rows.setdefault(label.lower(), {})[panel.name] = panel.counts.get(label)
        for label in panel.refers_to:
            shown = panel.shows.get(label)
            referred.setdefault(label.lower(), {})[panel.name] = frozenset(shown) if shown else None
    return rows, referred


def affected(label: str, added: Model | None = None, fields: Iterable[str] | None = None) -> set[str]:
    """The panels a write to a row of ``label`` ("app.model") can change. ``added``: the row, when the write added
    it, so no other row points to it yet and a panel that would not count it is left alone. ``fields``: the only
    fields the write saved, where it says (a sign-in saves the login's last_login alone)."""
    rows, referred = readers()
    label = label.lower()
    if added is not None:
        return {panel for panel, counts in rows.get(label, {}).items() if counts is None or counts(added)}
    saved = frozenset(fields) if fields is not None else None
    return set(rows.get(label, {})) | {
        panel for panel, shown in referred.get(label, {}).items() if shown is None or saved is None or shown & saved
    }


def written(sender, instance=None, created: bool = False, update_fields=None, **_kwargs) -> None:
    """Signal receiver (post_save, post_delete, m2m_changed of the through model, bulk_written): a record written."""
    panels = affected(sender._meta.label, instance if created else None, update_fields)
    if not panels:
        return
    # Now, for the writer's own next page; and again once the transaction commits, since a dashboard computed by
    # another request meanwhile still read the rows as they were before the commit.
    bump(panels)
    transaction.on_commit(functools.partial(bump, panels), robust=True)


def keys(filters_key: str, day: datetime.date, panels: Iterable[str]) -> dict[str, str]:
    """Where each panel's HTML is kept: it reads in the page's language and time zone (times of day), and the day."""
    parts = [day.isoformat(), translation.get_language(), timezone.get_current_timezone_name(), filters_key]
    return {
        panel: ":".join(["dashboard", current, *map(str, parts), panel])
        for panel, current in generations(panels).items()
    }


def keep(key: str, html: str) -> None:
    cache.set(key, html, TIMEOUT)
