"""Signing a record: the one write path for signatures."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from audit.versions import InvalidVersion, check_version
from signatures import content
from signatures.decisions import approve_if_complete
from signatures.models import Signature


def printed_name(user) -> str:
    return user.get_full_name().strip() or user.get_username()


@transaction.atomic
def signature_create(*, record: models.Model, signer, meaning: str, opened_version: str) -> Signature:
    """Sign ``record`` at the version the signer was shown (``opened_version``), with ``meaning``.

    Raises StaleVersion when the record was saved since the signer read it (they would sign what they did not
    see), InvalidVersion for a version the record never had, ValidationError when the rule refuses the meaning.
    """
    model = type(record)
    check_version(model, record.pk, opened_version)  # holds the record's row lock until the signature is in
    signed = content.current_of(record)
    if signed is None or signed.version != opened_version:
        raise InvalidVersion
    signature = Signature(
        content_type=ContentType.objects.get_for_model(model),
        object_id=record.pk,
        signer=signer,
        printed_name=printed_name(signer),
        meaning=meaning,
        signed_at=timezone.now(),
        content_sha256=signed.sha256,
        record_version=signed.version,
    )
    signature.full_clean(exclude=["chain_seq", "chain_hash"])
    signature.save()
    # What a signature completes happens with it: a decision both parties' co-chairs approved becomes approved.
    approve_if_complete(signature, record)
    return signature
