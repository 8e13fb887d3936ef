"""Anchors outside the database, and the triggers' state: what a forger with database rights cannot hide."""

from __future__ import annotations

import io
import json
import re
import zipfile
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from partners.models import Company
from tests.audit.helpers import protection_off, rehash
from tests.factories import CompanyFactory

TABLE = "partners_historicalcompany"


def verify(*anchors) -> str:
    out = StringIO()
    call_command("verify_audit", *[f"--anchor={path}" for path in anchors], stdout=out)
    return out.getvalue()


def checkpoint(path) -> dict:
    call_command("audit_checkpoint", f"--output={path}", stderr=StringIO())
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture
def companies(db):
    agc = CompanyFactory(name="AGC Inc.")
    medinet = CompanyFactory(name="MEDINET Co., Ltd.")
    medinet.city = "Tokyo (Ota-ku)"
    medinet._change_reason = "Head office moved to Ota-ku"
    medinet.save()
    return agc, medinet


def test_a_checkpoint_names_each_chains_head(companies, tmp_path):
    written = checkpoint(tmp_path / "anchor.json")
    heads = {head["chain"]: head for head in written["heads"]}
    last = Company.history.order_by("-chain_seq").first()
    assert heads[TABLE]["seq"] == 3
    assert heads[TABLE]["hash"] == last.chain_hash
    assert heads[TABLE]["at"].startswith(str(last.history_date.year))
    assert written["taken_at"]


def test_a_chain_that_grew_after_its_anchor_still_verifies(companies, tmp_path):
    checkpoint(tmp_path / "anchor.json")
    CompanyFactory(name="AGC Biologics")
    output = verify(tmp_path / "anchor.json")
    assert f"{TABLE}: 4 rows, intact (still holds anchored link 3)" in output


def test_a_forged_and_rehashed_chain_passes_alone_but_not_against_its_anchor(companies, tmp_path):
    checkpoint(tmp_path / "anchor.json")
    row = Company.history.get(history_change_reason="Head office moved to Ota-ku")
    with protection_off(TABLE), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET city = 'Osaka' WHERE history_id = %s", [row.pk])
    rehash(Company.history.model)
    assert f"{TABLE}: 3 rows, intact" in verify()  # a full rewrite is invisible from inside the database
    with pytest.raises(CommandError) as caught:
        verify(tmp_path / "anchor.json")
    assert TABLE in str(caught.value)
    assert "link 3" in str(caught.value) and "rewritten" in str(caught.value)


def test_a_chain_rolled_back_with_its_head_reset_fails_against_its_anchor(companies, tmp_path):
    checkpoint(tmp_path / "anchor.json")
    last = Company.history.order_by("-chain_seq").first()
    with protection_off(TABLE), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE history_id = %s", [last.pk])
    rehash(Company.history.model)  # the head now records two links, as if the third never was
    assert f"{TABLE}: 2 rows, intact" in verify()
    with pytest.raises(CommandError, match=f"{TABLE}.*link 3.*gone"):
        verify(tmp_path / "anchor.json")


def test_two_rows_with_swapped_keys_are_detected(companies):
    first, second = Company.history.order_by("chain_seq")[:2]
    with protection_off(TABLE), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET history_id = -1 WHERE history_id = %s", [first.pk])
        cursor.execute(f"UPDATE {TABLE} SET history_id = %s WHERE history_id = %s", [first.pk, second.pk])
        cursor.execute(f"UPDATE {TABLE} SET history_id = %s WHERE history_id = -1", [second.pk])
    with pytest.raises(CommandError, match=f"{TABLE}.*link 1"):
        verify()


def test_a_disabled_or_dropped_trigger_is_reported(companies):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f'ALTER TABLE "{TABLE}" DISABLE TRIGGER "{TABLE}_no_change"')
            expected = f"trigger {TABLE}_no_change is disabled"
        else:
            cursor.execute(f'DROP TRIGGER "{TABLE}_no_delete"')
            expected = f"trigger {TABLE}_no_delete is missing"
    with pytest.raises(CommandError) as caught:
        verify()
    assert TABLE in str(caught.value) and expected in str(caught.value)


def test_a_trigger_that_no_longer_refuses_is_reported(companies):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql "
                "AS $$ BEGIN RETURN OLD; END $$"
            )
        else:
            cursor.execute(f'DROP TRIGGER "{TABLE}_no_update"')
            cursor.execute(f'CREATE TRIGGER "{TABLE}_no_update" BEFORE UPDATE ON "{TABLE}" BEGIN SELECT 1; END')
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("verify_audit", stdout=out)
    # On PostgreSQL every history table shares the function, so every chain reports it; each names its trigger.
    assert re.search(
        f"{TABLE}: 3 rows, BROKEN — .*trigger {TABLE}_no_(change|update) (was altered|no longer refuses)",
        out.getvalue(),
    )


def test_a_disabled_chain_head_trigger_is_reported(companies):
    with (
        protection_off("audit_chainhead"),
        pytest.raises(CommandError, match="audit_chainhead.*trigger audit_chainhead_only_grows"),
    ):
        verify()


def test_an_evidence_packs_manifest_is_an_anchor(companies, auditor_client, tmp_path):
    response = auditor_client.get(reverse("exports:evidence"))
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        manifest = archive.read("manifest.json")
    (tmp_path / "manifest.json").write_bytes(manifest)
    heads = {head["chain"]: head for head in json.loads(manifest)["audit_chain"]["heads"]}
    assert heads[TABLE]["seq"] == 3
    assert "intact" in verify(tmp_path / "manifest.json")

    last = Company.history.order_by("-chain_seq").first()
    with protection_off(TABLE), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE history_id = %s", [last.pk])
    rehash(Company.history.model)
    with pytest.raises(CommandError, match=f"{TABLE}.*gone"):
        verify(tmp_path / "manifest.json")


def test_a_broken_trail_is_not_anchored(companies, tmp_path):
    row = Company.history.order_by("chain_seq")[1]
    with protection_off(TABLE), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET city = 'Osaka' WHERE history_id = %s", [row.pk])
    with pytest.raises(CommandError, match="Not anchoring a broken audit trail"):
        checkpoint(tmp_path / "anchor.json")
    assert not (tmp_path / "anchor.json").exists()


@pytest.mark.parametrize("content", ["", "{}", '{"heads": [{"chain": "x"}]}', "not json"])
def test_a_file_that_is_no_anchor_is_a_clear_error(companies, tmp_path, content):
    (tmp_path / "anchor.json").write_text(content)
    with pytest.raises(CommandError, match="is not a checkpoint or an evidence manifest"):
        verify(tmp_path / "anchor.json")


def test_an_anchored_chain_whose_table_is_gone_is_reported(companies, tmp_path):
    written = checkpoint(tmp_path / "anchor.json")
    written["heads"].append({"chain": "partners_historicalgone", "seq": 4, "hash": "0" * 64, "at": None})
    (tmp_path / "anchor.json").write_text(json.dumps(written))
    with pytest.raises(CommandError, match="partners_historicalgone"):
        verify(tmp_path / "anchor.json")


def test_a_trigger_recreated_so_that_it_never_fires_is_reported(companies):
    """Not a keyword search: a trigger whose condition never holds refuses nothing, whatever its text says."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(
                f'CREATE OR REPLACE TRIGGER "{TABLE}_no_change" BEFORE UPDATE OR DELETE ON "{TABLE}" '
                "FOR EACH ROW WHEN (false) EXECUTE FUNCTION audit_refuse_change()"
            )
            name = f"{TABLE}_no_change"
        else:
            cursor.execute(f'DROP TRIGGER "{TABLE}_no_update"')
            cursor.execute(
                f'CREATE TRIGGER "{TABLE}_no_update" BEFORE UPDATE ON "{TABLE}" WHEN 0 '
                f"BEGIN SELECT RAISE(ABORT, 'audit history is append-only: UPDATE on {TABLE} refused'); END"
            )
            name = f"{TABLE}_no_update"
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("verify_audit", stdout=out)
    assert f"{TABLE}: 3 rows, BROKEN — trigger {name} was altered" in out.getvalue()


def test_every_anchor_given_is_checked_not_only_the_last_per_chain(companies, tmp_path):
    """An honest old anchor still catches a rewrite that a newer anchor, taken after it, would vouch for."""
    checkpoint(tmp_path / "monday.json")
    row = Company.history.get(history_change_reason="Head office moved to Ota-ku")
    with protection_off(TABLE), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET city = 'Osaka' WHERE history_id = %s", [row.pk])
    rehash(Company.history.model)
    checkpoint(tmp_path / "wednesday.json")
    with pytest.raises(CommandError, match=f"{TABLE}.*rewritten"):
        verify(tmp_path / "monday.json", tmp_path / "wednesday.json")
    with pytest.raises(CommandError, match=f"{TABLE}.*rewritten"):
        verify(tmp_path / "wednesday.json", tmp_path / "monday.json")
