"""A decision is approved by both parties: a co-chair of each party signs it "approved".

Called after each signature on a decision, inside its transaction. The decision becomes approved (through
``Decision.record_approval``, the only way it can) once, for every party of its partnership, one of that party's
co-chairs has an "approved" signature that still covers the decision's content. One party alone never approves it.
"""

from __future__ import annotations

from governance.models import Decision
from signatures.display import with_coverage
from signatures.meanings import Meaning
from signatures.models import Signature


def approving_parties(decision: Decision) -> set:
    """The parties of the decision's partnership whose co-chairs have approved its current content."""
    approvals = [
        shown.signature
        for shown in with_coverage(Decision, Signature.objects.for_record(decision).filter(meaning=Meaning.APPROVED))
        if shown.covers
    ]
    partnership = decision.partnership
    co_chairs = partnership.co_chairs.filter(user__in=[s.signer_id for s in approvals]).select_related(
        "employer__parent__parent__parent"
    )
    return {party for person in co_chairs if (party := partnership.party_of(person)) is not None}


def approved_by_both_parties(decision: Decision) -> bool:
    parties = set(decision.partnership.parties.all())
    return bool(parties) and parties <= approving_parties(decision)


def approve_if_complete(signature: Signature, record) -> None:
    if not isinstance(record, Decision) or signature.meaning != Meaning.APPROVED:
        return
    if record.status == Decision.Status.PROPOSED and approved_by_both_parties(record):
        record.record_approval(signature.signed_at, user=signature.signer)
