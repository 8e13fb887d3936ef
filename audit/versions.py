"""The version a record is at, and refusing a save made on an older one (a lost update).

Every save of an audited record seals one history row into its table's hash chain, so the record's latest history
row already names its version: no version column on each model. A version reads as ``"<chain position>-<first 16
hex digits of that row's chain hash>"``. The chain position orders a record's versions (it is assigned under the
chain's lock, so it grows in commit order; history ids are not relied on); the hash ties the version to the content
the chain sealed, so a version from before a database restore cannot pass for a newer row that reuses its
position. Callers treat the string as opaque: forms carry it in a hidden field, an API can send it as an ETag.

``check_version`` locks the record's row, so call it inside the transaction that then saves the record: a second
save made on the same version waits for the first to commit, then sees the newer version and is refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models, transaction
from django.db.models import Max
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audit import trail
from audit.chain import GENESIS

# How many of the saves made since are spelled out in a conflict's message; the trail page has the rest.
SHOWN_SAVES = 3


@dataclass(frozen=True)
class Version:
    seq: int
    digest: str

    PATTERN = re.compile(r"(\d{1,19})-([0-9a-f]{16})")

    def __str__(self) -> str:
        return f"{self.seq}-{self.digest}"

    @classmethod
    def of(cls, seq: int, chain_hash: str) -> Version:
        return cls(seq, chain_hash[:16])

    @classmethod
    def parse(cls, text: str) -> Version:
        match = cls.PATTERN.fullmatch(text or "")
        if not match:
            raise InvalidVersion
        return cls(int(match[1]), match[2])


# A record that has no history row yet (none of the app's writes leave one so, but rows loaded raw could).
ORIGIN = Version.of(0, GENESIS)


class InvalidVersion(Exception):
    """The version given is missing, malformed, or not one this record ever had."""

    code = "invalid_version"

    @property
    def message(self) -> str:
        return _(
            "This form does not carry a valid version of the record it edits: reload it, then apply your changes again."
        )


class StaleVersion(Exception):
    """The record was saved by someone else after the version given."""

    code = "stale_version"

    def __init__(self, entries: list[trail.Entry], users: list[str]):
        super().__init__(entries)
        self.entries, self.users = entries, users

    @property
    def message(self) -> str:
        """Who changed what since, newest last, in the active language."""
        shown = [saved(user, entry) for user, entry in zip(self.users, self.entries, strict=True)][-SHOWN_SAVES:]
        earlier = len(self.entries) - len(shown)
        if earlier:
            shown.insert(
                0,
                ngettext("%(count)s more save, in the audit trail", "%(count)s more saves, in the audit trail", earlier)
                % {"count": earlier},
            )
        # Translators: joins the descriptions of several saves into one sentence.
        separator = _("; ")
        return _("%(saves)s since you opened this form: reload it to see their changes, then apply yours again.") % {
            "saves": separator.join(shown)
        }


def saved(user: str, entry: trail.Entry) -> str:
    when = formats.date_format(timezone.localtime(entry.when), "SHORT_DATETIME_FORMAT")
    if entry.kind == "-":
        return _("%(user)s deleted the record on %(when)s") % {"user": user, "when": when}
    if not entry.changes:
        return _("%(user)s saved it without changing a field on %(when)s") % {"user": user, "when": when}
    # Translators: joins the fields that one save changed.
    changes = _(", ").join(
        _("%(field)s (%(old)s → %(new)s)") % {"field": capfirst(c.label), "old": c.old, "new": c.new}
        for c in entry.changes
    )
    return _("%(user)s changed %(changes)s on %(when)s") % {"user": user, "changes": changes, "when": when}


def versions_of(model: type[models.Model], pks: Iterable) -> dict:
    """The version of each record of ``model`` named in ``pks`` (as ``str``), in one query."""
    pk_field = model._meta.pk
    pks = {pk_field.to_python(pk) for pk in pks}
    history = model.history.filter(**{f"{pk_field.attname}__in": pks})
    latest = history.values(pk_field.attname).annotate(last=Max("chain_seq")).values("last")
    found = {
        pk: str(Version.of(seq, chain_hash))
        for pk, seq, chain_hash in history.filter(chain_seq__in=latest).values_list(
            pk_field.attname, "chain_seq", "chain_hash"
        )
    }
    return {pk: found.get(pk, str(ORIGIN)) for pk in pks}


def version_of(model: type[models.Model], pk) -> str:
    """The version record ``pk`` of ``model`` is at now."""
    return versions_of(model, [pk])[model._meta.pk.to_python(pk)]


def check_version(model: type[models.Model], pk, opened: str) -> None:
    """Refuse a save of record ``pk`` by someone who read it at version ``opened`` if it has moved on since.

    Raises InvalidVersion or StaleVersion. Holds the record's row lock until the transaction ends.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("check_version() must run inside the transaction that saves the record")
    pk = model._meta.pk.to_python(pk)
    # The row lock comes first: only what was committed before it counts (PostgreSQL reads afresh per statement).
    list(model._base_manager.select_for_update().filter(pk=pk).values_list("pk", flat=True))
    version = Version.parse(opened)
    rows = list(
        model.history.filter(**{model._meta.pk.attname: pk}, chain_seq__gte=version.seq)
        .select_related("history_user")
        .order_by("chain_seq")
    )
    if version != ORIGIN and not (rows and Version.of(rows[0].chain_seq, rows[0].chain_hash) == version):
        raise InvalidVersion
    newer = [(row, entry) for row, entry in trail.entries(model, rows) if row.chain_seq > version.seq]
    if newer:
        raise StaleVersion(
            [entry for _row, entry in newer],
            [(row.history_user and row.history_user.get_full_name()) or entry.user for row, entry in newer],
        )
