"""Signatures are append-only and hash-chained: refused changes, verify_audit walks them, anchors name them."""

from __future__ import annotations

import datetime

import pytest
from django.db import DatabaseError, connection, transaction

from audit.anchors import heads
from audit.verify import verify_all
from audit.versions import version_of
from milestones.models import Milestone
from signatures.models import Signature
from signatures.services import signature_create
from tests.audit.helpers import protection_off
from tests.factories import MilestoneFactory, UserFactory

TABLE = Signature._meta.db_table


@pytest.fixture
def signature(alliance):
    milestone = MilestoneFactory(
        partnership=alliance.partnership, status=Milestone.Status.DONE, actual_date=datetime.date(2026, 1, 5)
    )
    return signature_create(
        record=milestone,
        signer=UserFactory(username="boss", role="Manager"),
        meaning="approved",
        opened_version=version_of(Milestone, milestone.pk),
    )


def report_for(chain: str):
    return next(report for report in verify_all() if report.chain == chain)


def test_a_signature_cannot_be_changed_deleted_or_reassigned_through_the_models(signature):
    signature.signer = UserFactory(username="someone-else")
    with pytest.raises(PermissionError):
        signature.save()
    with pytest.raises(PermissionError):
        signature.delete()
    with pytest.raises(PermissionError):
        Signature.objects.filter(pk=signature.pk).update(signer=signature.signer)
    with pytest.raises(PermissionError):
        Signature.objects.all().delete()
    assert Signature.objects.get().signer.username == "boss"


@pytest.mark.parametrize(
    "statement",
    [f'UPDATE "{TABLE}" SET "printed_name" = %s', f'DELETE FROM "{TABLE}" WHERE "printed_name" <> %s'],
)
def test_the_database_refuses_to_change_or_delete_a_signature(signature, statement):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, ["Someone Else"])
    assert Signature.objects.get().printed_name == signature.printed_name


def test_verify_audit_walks_the_signatures_chain_and_finds_a_forged_signature(signature):
    assert report_for(TABLE).ok and report_for(TABLE).rows == 1

    with protection_off(TABLE), connection.cursor() as cursor:
        cursor.execute(f'UPDATE "{TABLE}" SET "meaning" = %s', ["reviewed"])  # noqa: S608

    report = report_for(TABLE)
    assert not report.ok and "altered" in report.problem


def test_checkpoints_and_evidence_manifests_anchor_the_signatures_chain(signature):
    head = next(h for h in heads() if h["chain"] == TABLE)
    assert (head["seq"], head["hash"]) == (signature.chain_seq, signature.chain_hash)
    assert head["at"] == signature.signed_at.isoformat()
