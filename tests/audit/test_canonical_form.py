"""The canonical form: a history row's hash, taken before insert, is the hash of what the database gives back.

Runs on SQLite and on PostgreSQL (CI runs the suite on both): every history model, every field type it holds,
arbitrary values written, read back and re-hashed.
"""

from __future__ import annotations

import datetime
import json
import zoneinfo

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, models
from hypothesis import given
from hypothesis import strategies as st

from audit.chain import GENESIS, canonical_json, content_of, link_hash
from audit.verify import chained_models
from signatures.meanings import Meaning
from tests.factories import UserFactory
from tests.properties import examples

PROPERTY = examples(25)
# What the database keeps is the reference: no NUL (PostgreSQL text refuses it), no lone surrogates (not UTF-8).
TEXT_CHARACTERS = st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00")
ZONES = st.sampled_from(
    [
        datetime.UTC,
        zoneinfo.ZoneInfo("Asia/Tokyo"),
        zoneinfo.ZoneInfo("America/Denver"),
        zoneinfo.ZoneInfo("Asia/Kathmandu"),
    ]
)
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(TEXT_CHARACTERS, max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(TEXT_CHARACTERS, max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
# Keys the database or seal() assigns, never the writer.
ASSIGNED = {"chain_seq", "chain_hash"}


# Columns a check constraint narrows: only values the database accepts.
CONSTRAINED = {
    "signatures_signature.meaning": st.sampled_from(Meaning.values),
    "signatures_signature.printed_name": st.text(TEXT_CHARACTERS, min_size=1, max_size=300),
}


def strategy(field: models.Field, user_id: int):
    """Values of ``field``'s type, including the awkward ones (empty, extreme, unordered, another time zone)."""
    constrained = CONSTRAINED.get(f"{field.model._meta.db_table}.{field.attname}")
    if constrained is not None:  # a strategy's truth is meaningless (Hypothesis warns)
        return constrained
    if field.is_relation and field.db_constraint and not field.null:
        # A signature's signer and record type: a real, required foreign key needs a row that exists.
        related = field.related_model
        return st.just(user_id if related is get_user_model() else related._default_manager.order_by("pk")[0].pk)
    if field.is_relation:
        # The user who made a change is a real foreign key; the audited record's keys are kept without constraint.
        return st.sampled_from([None, user_id]) if field.db_constraint else st.integers(1, 2**31 - 1)
    if isinstance(field, models.JSONField):
        # A top-level None is SQL NULL, which a NOT NULL column refuses; inside a document it is JSON null.
        return JSON if field.null else JSON.filter(lambda value: value is not None)
    if isinstance(field, models.DateTimeField):
        naive = st.datetimes(min_value=datetime.datetime(1900, 1, 2), max_value=datetime.datetime(2200, 12, 30))
        return st.builds(lambda day, zone: day.replace(tzinfo=zone), naive, ZONES)
    if isinstance(field, models.DateField):
        return st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2200, 12, 31))
    if isinstance(field, models.BooleanField):
        return st.booleans()
    if isinstance(field, models.IntegerField | models.BigIntegerField):
        low, high = connection.ops.integer_field_range(field.get_internal_type())
        return st.integers(
            min_value=low if low is not None else -(2**63), max_value=high if high is not None else 2**63 - 1
        )
    if isinstance(field, models.CharField | models.TextField):
        return st.text(TEXT_CHARACTERS, max_size=field.max_length or 200)
    raise AssertionError(f"No strategy for {type(field).__name__} ({field.model.__name__}.{field.name}): add one.")


def written_fields(model) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if not f.primary_key and f.attname not in ASSIGNED]


@pytest.mark.parametrize("model", chained_models(), ids=lambda m: m._meta.db_table)
@PROPERTY
@given(data=st.data())
def test_a_history_row_hashes_the_same_before_insert_and_after_reading_back(model, data, django_user_model, db):
    user = django_user_model.objects.first() or UserFactory(username="writer")
    row = model(**{f.attname: data.draw(strategy(f, user.pk), label=f.attname) for f in written_fields(model)})
    row.save()

    stored = model._default_manager.get(pk=row.pk)
    previous = (
        model._default_manager.filter(chain_seq=stored.chain_seq - 1).values_list("chain_hash", flat=True).first()
        or GENESIS
    )
    assert content_of(stored) == content_of(row)
    assert link_hash(previous, stored) == stored.chain_hash == row.chain_hash


def test_every_field_type_of_the_history_tables_has_a_strategy(db):
    for model in chained_models():
        for field in written_fields(model):
            strategy(field, user_id=1)  # raises for a type nobody thought about


def test_json_reads_back_from_either_database_as_one_canonical_text():
    # jsonb gives keys back in its own order and a whole-number float as an integer.
    written = {
        "start": "2025-01-01",
        "end": "2025-12-31",
        "site": "1",
        "n": 1.0,
        "big": 1e20,
        "tiny": 1e-7,
        "odd": 3.294564252663099e16,
    }
    read_back = json.loads(
        '{"n": 1, "big": 100000000000000000000, "end": "2025-12-31", "site": "1", '
        '"tiny": 0.0000001, "start": "2025-01-01", "odd": 32945642526630990}'
    )
    assert json.dumps(canonical_json(written), sort_keys=True) == json.dumps(canonical_json(read_back), sort_keys=True)
