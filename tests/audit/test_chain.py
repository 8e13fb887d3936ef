"""Tamper evidence: verify_audit finds an altered, removed or forged history row."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction

from partners.models import Company
from tests.audit.helpers import protection_off
from tests.factories import CompanyFactory

TABLE = "partners_historicalcompany"


def verify() -> str:
    out = StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


@pytest.fixture
def companies(db):
    agc = CompanyFactory(name="AGC Inc.")
    medinet = CompanyFactory(name="MEDINET Co., Ltd.")
    medinet.city = "Tokyo (Ota-ku)"
    medinet._change_reason = "Head office moved"
    medinet.save()
    return agc, medinet


def test_intact_trail_passes_with_counts(companies):
    output = verify()
    assert f"{TABLE}: 3 rows, intact" in output
    assert "Audit trail intact:" in output


def test_an_altered_row_is_named(companies):
    row = Company.history.order_by("chain_seq")[1]
    with protection_off(TABLE), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET city = 'Osaka' WHERE history_id = %s", [row.pk])
    with pytest.raises(CommandError) as caught:
        verify()
    assert f"first bad row: history_id={row.pk}, link 2" in str(caught.value)


def test_a_rewritten_reason_is_detected(companies):
    row = Company.history.get(history_change_reason="Head office moved")
    with protection_off(TABLE), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET history_change_reason = 'Typo' WHERE history_id = %s", [row.pk])
    with pytest.raises(CommandError, match=f"history_id={row.pk}"):
        verify()


def test_a_removed_row_is_detected(companies):
    row = Company.history.order_by("chain_seq")[1]
    with protection_off(TABLE), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE history_id = %s", [row.pk])
    with pytest.raises(CommandError, match="link 2 is missing"):
        verify()


def test_removing_the_last_row_is_detected_by_the_chain_head(companies):
    last = Company.history.order_by("-chain_seq").first()
    with protection_off(TABLE), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE history_id = %s", [last.pk])
    with pytest.raises(CommandError, match="chain head records 3 links but 2 were found"):
        verify()


def test_a_forked_chain_is_refused_by_the_database(companies):
    first = Company.history.order_by("chain_seq").first()
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (id, name, name_ja, short_name, kind, country, city, website, notes, "
            "history_date, history_type, history_change_reason, chain_seq, chain_hash) "
            "SELECT id, name, name_ja, short_name, kind, country, city, website, notes, "
            f"history_date, history_type, 'fork', chain_seq, chain_hash FROM {TABLE} WHERE history_id = %s",
            [first.pk],
        )


def test_each_link_hashes_its_predecessor(companies):
    rows = list(Company.history.order_by("chain_seq"))
    assert [row.chain_seq for row in rows] == [1, 2, 3]
    assert len({row.chain_hash for row in rows}) == 3
    assert all(len(row.chain_hash) == 64 for row in rows)


def test_a_new_field_with_an_empty_default_leaves_earlier_hashes_valid():
    from audit.chain import canonical

    before = canonical({"name": "MEDINET", "parent_id": 3})
    for empty in (None, "", False):
        assert canonical({"name": "MEDINET", "parent_id": 3, "added_later": empty}) == before
    assert canonical({"name": "MEDINET", "parent_id": 3, "added_later": 0}) != before  # zero is a value
    assert canonical({"name": "MEDINET", "parent_id": 3, "added_later": True}) != before


def test_rows_written_before_a_field_was_added_still_verify(companies):
    """Simulates the migration: the history rows gain a column whose default is empty."""
    from audit.chain import content_of

    row = Company.history.order_by("chain_seq").first()
    text = content_of(row)
    row.notes = ""  # an empty default, as a migration would fill in
    assert content_of(row) == text
