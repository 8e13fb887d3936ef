"""Columns of kind "code" skip the formula check in PostgreSQL's COPY (``exports/writers.py``): each is marked so only
where every value it can hold is proven never to start a formula, whatever text the records hold."""

from __future__ import annotations

import re

from django.utils import translation

from audit import registry
from audit.trail import ACTIONS, event_fields, tracked_fields
from exports.audit_rows import rows as trail_rows
from exports.filters import Filters
from exports.signature_rows import rows as signature_rows
from exports.sources import AUDIT_TRAIL, COMPUTED, SIGNATURES, TABLES
from signatures.meanings import Meaning
from tests.exports.test_formula_safety import TRIGGERS
from tests.exports.test_signature_export import signed  # noqa: F401 - the fixture: two signed milestones

HEX = re.compile(r"[0-9a-f]{64}")
# Each code column, and the test below that proves it.
PROVEN = {
    (AUDIT_TRAIL, "record_type"),  # registry keys
    (AUDIT_TRAIL, "action"),  # three fixed labels
    (AUDIT_TRAIL, "field"),  # field names, or empty
    (AUDIT_TRAIL, "chain_hash"),  # hex
    (SIGNATURES, "meaning"),  # the meanings' keys, held by a database constraint
    (SIGNATURES, "record_type"),  # registry keys
    (SIGNATURES, "record_version"),  # chain position, a hyphen, hex
    (SIGNATURES, "content_sha256"),  # hex
    (SIGNATURES, "chain_hash"),  # hex
}


def test_only_columns_proven_never_to_start_a_formula_are_code():
    datasets = {**{name: d.columns for name, d in TABLES.items()}, **{name: c.columns for name, c in COMPUTED.items()}}
    code = {(name, c.key) for name, columns in datasets.items() for c in columns if c.kind == "code"}
    assert code == PROVEN


def test_record_types_and_field_names_are_identifiers():
    for key, model in registry.record_types().items():
        assert re.fullmatch(r"[a-z][a-z0-9_]*", key)
        names = [f.name for f in tracked_fields(model) + event_fields(model)]
        names += [f.name for f in model.history.model._history_m2m_fields]
        assert all(name.isidentifier() and not name.startswith(TRIGGERS) for name in names), key


def test_actions_and_meanings_are_words():
    with translation.override(None):
        assert all(re.fullmatch(r"[A-Z][a-z]+", str(label)) for label in ACTIONS.values())
    assert all(re.fullmatch(r"[a-z]+", meaning) for meaning in Meaning.values)


def test_the_trail_and_the_signatures_write_hex_and_versions_in_their_code_columns(signed):  # noqa: F811
    trail = list(trail_rows(Filters()))
    assert trail and all(HEX.fullmatch(row[-1]) for row in trail)
    signatures = list(signature_rows(Filters()))
    assert signatures
    for row in signatures:
        assert re.fullmatch(r"[0-9]+-[0-9a-f]+", row[8]) and HEX.fullmatch(row[9]) and HEX.fullmatch(row[11])
