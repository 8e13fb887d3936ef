"""A decision is approved by both parties: a co-chair of each signs it "approved", on its current content."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.versions import version_of
from governance.models import Decision
from governance.services import decision_save
from signatures.models import Signature
from signatures.services import signature_create
from tests.factories import PersonFactory, UserFactory

PASSWORD = "correct-horse-battery"


@pytest.fixture
def co_chairs(alliance):
    """One co-chair for each party, each with their user account."""
    agc_chair = PersonFactory(
        name="Aoi Mori",
        employer=alliance.agc_bio,
        user=UserFactory(username="aoi", first_name="Aoi", last_name="Mori", role="Manager"),
    )
    medinet_chair = PersonFactory(
        name="Ren Kato",
        employer=alliance.medinet,
        user=UserFactory(username="ren", first_name="Ren", last_name="Kato", role="Manager"),
    )
    alliance.partnership.co_chairs.add(agc_chair, medinet_chair)
    return agc_chair, medinet_chair


@pytest.fixture
def decision(alliance):
    return decision_save(
        decision=Decision(partnership=alliance.partnership, title="Re-baseline the 2025 start", text="Move it.")
    )


def approve(decision, person) -> Signature:
    return signature_create(
        record=decision, signer=person.user, meaning="approved", opened_version=version_of(Decision, decision.pk)
    )


def test_one_partys_co_chair_alone_does_not_approve_a_decision(decision, co_chairs):
    approve(decision, co_chairs[0])

    decision.refresh_from_db()
    assert decision.status == Decision.Status.PROPOSED and decision.approved_at is None


def test_a_decision_signed_approved_by_a_co_chair_of_each_party_is_approved(decision, co_chairs):
    approve(decision, co_chairs[0])
    second = approve(decision, co_chairs[1])

    decision.refresh_from_db()
    assert decision.status == Decision.Status.APPROVED
    assert decision.approved_at == second.signed_at
    # Approving is the outcome of the signatures, not a change of what they signed.
    assert all(signature.covers_current_version() for signature in Signature.objects.for_record(decision))


def test_two_co_chairs_of_the_same_party_do_not_approve_a_decision(alliance, decision, co_chairs):
    colleague = PersonFactory(name="Sora Ito", employer=alliance.agc, user=UserFactory(username="sora"))
    alliance.partnership.co_chairs.add(colleague)

    approve(decision, co_chairs[0])
    approve(decision, colleague)

    decision.refresh_from_db()
    assert decision.status == Decision.Status.PROPOSED


def test_an_approval_signed_before_the_decision_changed_does_not_count(decision, co_chairs):
    first = approve(decision, co_chairs[0])
    decision.text = "Move it by one quarter."
    decision._change_reason = "Wording agreed at the meeting"
    decision_save(decision=decision)
    assert not first.covers_current_version()

    approve(decision, co_chairs[1])

    decision.refresh_from_db()
    assert decision.status == Decision.Status.PROPOSED


def test_someone_who_is_not_a_co_chair_cannot_sign_a_decision(alliance, decision, co_chairs):
    outsider = PersonFactory(name="Mei Abe", employer=alliance.medinet, user=UserFactory(username="mei"))

    with pytest.raises(ValidationError) as refused:
        approve(decision, outsider)

    assert refused.value.error_dict["meaning"][0].code == "meaning_not_allowed"
    assert not Signature.objects.exists()


def test_the_decision_page_shows_both_co_chairs_approvals_and_offers_signing_only_to_a_co_chair(
    client, decision, co_chairs
):
    approve(decision, co_chairs[0])
    client.force_login(co_chairs[1].user)
    page = client.get(decision.get_absolute_url()).content.decode()
    assert "Aoi Mori" in page and reverse("signatures:sign", args=["governance", "decision", decision.pk]) in page

    sign_page = client.get(reverse("signatures:sign", args=["governance", "decision", decision.pk]))
    version = sign_page.context["form"].initial["version"]
    response = client.post(
        sign_page.request["PATH_INFO"], {"meaning": "approved", "password": PASSWORD, "version": version}
    )

    assert response.status_code == 302 and response.url == decision.get_absolute_url()
    decision.refresh_from_db()
    assert decision.status == Decision.Status.APPROVED
    page = client.get(decision.get_absolute_url()).content.decode()
    assert "Aoi Mori" in page and "Ren Kato" in page
    assert "Signed version differs" not in page
