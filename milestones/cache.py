"""The dashboard's panels, cached as drawn per filter set, language, time zone and day, and dropped by any write to
what they read.

Every cached entry's key carries a generation. A write to any model of the apps the panels read (a save or
delete, a many-to-many change, or an audited bulk write: admin, pages, API, imports, seeding alike) moves the
generation on, so the next dashboard load computes afresh; old entries are never read again and expire. The key also
carries the local date, so figures that depend on "today" are not served after midnight.

The cache is Django's default one (``CACHE_URL``): local memory serves one process; several processes (gunicorn
workers, machines) need a shared cache such as Redis, or a write seen by one would not reach the others' entries.
"""

from __future__ import annotations

import datetime
import logging
import secrets

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone, translation

logger = logging.getLogger(__name__)
GENERATION_KEY = "dashboard:generation"
# The apps whose records the panels read (milestones and their history, exchanges, people and sites, training and
# its QA signatures, governance). A write elsewhere (sessions, export records, preferences) leaves the figures alone.
READS = frozenset({"partners", "milestones", "training", "governance", "signatures"})
# Keys name their day, so an entry is useless after it; the timeout only returns the memory.
TIMEOUT = 26 * 3600


def generation() -> str:
    current = cache.get(GENERATION_KEY)
    if current is None:
        # A generation lost (evicted, restarted) is replaced by a new one, never by one an old entry carries.
        cache.add(GENERATION_KEY, secrets.token_hex(8), timeout=None)
        current = cache.get(GENERATION_KEY, "")
    return current


def bump() -> None:
    """A new generation: a fresh value set, not a count incremented, since a shared folder's increment is a read then
    a write, which a slower process could set back to a value entries drawn from the old rows carry."""
    try:
        cache.set(GENERATION_KEY, secrets.token_hex(8), timeout=None)
    except Exception:
        # An unreachable cache must not refuse the write that called this: the record is what matters.
        logger.warning("The dashboard cache could not be told of a write; panels may show it late.", exc_info=True)


def written(sender, **_kwargs) -> None:
    """Signal receiver: a record the panels may read was written."""
    if sender._meta.app_label not in READS:
        return
    # Now, for the writer's own next page; and again once the transaction commits, since a dashboard computed by
    # another request meanwhile still read the rows as they were before the commit.
    bump()
    transaction.on_commit(bump, robust=True)


def key(filters_key: str, day: datetime.date, panel: str) -> str:
    """Where a panel's HTML is kept: it reads in the page's language and time zone (times of day), and the day."""
    parts = [generation(), day.isoformat(), translation.get_language(), timezone.get_current_timezone_name()]
    return ":".join(["dashboard", *map(str, parts), filters_key, panel])


def keep(key: str, html: str) -> None:
    cache.set(key, html, TIMEOUT)
