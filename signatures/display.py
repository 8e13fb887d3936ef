"""A record as it is signed, and its signatures as its pages show them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.urls import reverse
from django.utils.text import capfirst

from accounts.signing import meanings_for, signable
from signatures import content
from signatures.models import Signature


@dataclass(frozen=True)
class Shown:
    signature: Signature
    covers: bool


def with_coverage(model: type[models.Model], signatures: Iterable[Signature]) -> list[Shown]:
    """Each signature with whether it still covers its record's current version (one query for all)."""
    signatures = list(signatures)
    now = content.current(model, {s.object_id for s in signatures}) if signatures else {}
    return [Shown(s, s.object_id in now and now[s.object_id].sha256 == s.content_sha256) for s in signatures]


def sign_url(record: models.Model) -> str:
    opts = record._meta
    return reverse("signatures:sign", args=[opts.app_label, opts.model_name, record.pk])


def panel(user, record: models.Model) -> dict:
    """What the signatures section of a record's page needs: its signatures and, for a signer, the way to sign."""
    shown = with_coverage(type(record), Signature.objects.for_record(record))
    return {
        "signatures": shown,
        "signatures_stale": any(not s.covers for s in shown),
        "sign_url": sign_url(record) if signable(type(record)) and meanings_for(user, record) else "",
    }


def by_record(model: type[models.Model], pks) -> dict[int, list[Shown]]:
    """Record pk → its signatures with coverage, for a page listing many records (two queries)."""
    result: dict[int, list[Shown]] = {}
    for shown in with_coverage(model, Signature.objects.for_records(model, pks)):
        result.setdefault(shown.signature.object_id, []).append(shown)
    return result


def fields_of(record: models.Model) -> list[tuple[str, object]]:
    """The record's fields as its pages show them: label and display value, in the model's order."""
    rows = []
    for field in record._meta.concrete_fields:
        if field.primary_key:
            continue
        if field.choices:
            value = getattr(record, f"get_{field.name}_display")()
        elif field.is_relation:
            value = getattr(record, field.name)
        else:
            value = getattr(record, field.attname)
        rows.append((capfirst(field.verbose_name), value))
    return rows
