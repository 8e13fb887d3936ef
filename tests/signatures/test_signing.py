"""Signing a record on its signing page: the password every time, the meanings the rules allow, what is kept."""

from __future__ import annotations

import datetime
import hashlib

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from audit.chain import canonical, canonical_value
from milestones.models import Milestone
from signatures.display import sign_url
from signatures.models import Signature
from tests.conftest import login_as
from tests.factories import MilestoneFactory, UserFactory

PASSWORD = "correct-horse-battery"


@pytest.fixture
def done_milestone(alliance):
    return MilestoneFactory(
        partnership=alliance.partnership,
        status=Milestone.Status.DONE,
        title="Tech transfer",
        actual_date=datetime.date(2026, 6, 1),
    )


@pytest.fixture
def manager(db):
    return UserFactory(username="kenji", first_name="Kenji", last_name="Sato", role="Manager")


def version_field(response) -> str:
    return response.context["form"].initial["version"]


def sign(client, record, *, meaning="approved", password=PASSWORD, version=None):
    url = sign_url(record)
    version = version or version_field(client.get(url))
    return client.post(url, {"meaning": meaning, "password": password, "version": version})


def change(record, **values):
    for name, value in values.items():
        setattr(record, name, value)
    record._change_reason = "Corrected after signing"
    record.save()


def test_a_manager_signs_a_done_milestone_with_the_password_and_the_signature_names_signer_meaning_and_content(
    client, manager, done_milestone
):
    client.force_login(manager)
    page = client.get(sign_url(done_milestone))
    assert page.status_code == 200
    assert "Tech transfer" in page.content.decode()
    assert [value for value, _label in page.context["form"].fields["meaning"].choices] == ["approved"]

    response = sign(client, done_milestone)

    assert response.status_code == 302 and response.url == done_milestone.get_absolute_url()
    signature = Signature.objects.get()
    assert (signature.signer, signature.printed_name, signature.meaning) == (manager, "Kenji Sato", "approved")
    stored = Milestone.objects.get(pk=done_milestone.pk)
    fields = {f.attname: canonical_value(f, getattr(stored, f.attname)) for f in Milestone._meta.concrete_fields}
    assert signature.content_sha256 == hashlib.sha256(canonical(fields).encode()).hexdigest()
    latest = done_milestone.history.order_by("-chain_seq").first()
    assert signature.record_version == f"{latest.chain_seq}-{latest.chain_hash[:16]}"
    assert signature.covers_current_version()
    detail = client.get(done_milestone.get_absolute_url()).content.decode()
    assert "Kenji Sato" in detail and "Approved" in detail
    assert "Signed version differs from the current one" not in detail


def test_a_wrong_password_signs_nothing_and_is_recorded_as_a_failed_authentication(client, manager, done_milestone):
    client.force_login(manager)

    response = sign(client, done_milestone, password="not-my-password")

    assert response.status_code == 400
    assert "That is not your password" in response.content.decode()
    assert not Signature.objects.exists()
    failure = AccessAttempt.objects.get()
    assert (failure.username, failure.path_info, failure.failures_since_start) == ("kenji", sign_url(done_milestone), 1)


def test_repeated_wrong_passwords_lock_the_signer_out_and_end_the_session(client, manager, done_milestone, settings):
    client.force_login(manager)
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign(client, done_milestone, password="guess").status_code == 400
    version = done_milestone.history.order_by("-chain_seq").first()
    locked = client.post(
        sign_url(done_milestone),
        {"meaning": "approved", "password": "guess", "version": f"{version.chain_seq}-{version.chain_hash[:16]}"},
    )

    assert locked.status_code == 429
    assert SESSION_KEY not in client.session
    client.force_login(manager)
    assert sign(client, done_milestone).status_code == 429  # even the right password, until the cool-off ends
    assert not Signature.objects.exists()


def test_a_signature_stops_covering_a_record_changed_after_it_and_the_page_says_so(client, manager, done_milestone):
    client.force_login(manager)
    sign(client, done_milestone)

    change(done_milestone, description="Scope corrected")

    signature = Signature.objects.get()
    assert not signature.covers_current_version()
    detail = client.get(done_milestone.get_absolute_url()).content.decode()
    assert "Signed version differs from the current one" in detail


def test_a_record_changed_after_the_signing_page_was_opened_is_not_signed(client, manager, done_milestone):
    client.force_login(manager)
    opened = version_field(client.get(sign_url(done_milestone)))
    change(done_milestone, description="Changed while the signer read it")

    response = sign(client, done_milestone, version=opened)

    assert response.status_code == 400
    assert "since you opened this form" in response.content.decode()
    assert not Signature.objects.exists()


def test_a_meaning_the_rules_do_not_give_the_signer_is_refused(client, manager, done_milestone):
    client.force_login(manager)

    response = sign(client, done_milestone, meaning="performed")

    assert response.status_code == 400
    assert not Signature.objects.exists()


@pytest.mark.parametrize("persona", ["staff", "auditor", "admin"])
def test_those_no_rule_lets_sign_a_milestone_cannot_open_its_signing_page(client, persona, done_milestone):
    login_as(client, persona)
    assert client.get(sign_url(done_milestone)).status_code == 403
    assert sign(client, done_milestone, version="1-0000000000000000").status_code == 403
    assert not Signature.objects.exists()


def test_a_milestone_not_yet_done_cannot_be_signed(client, manager, alliance):
    milestone = MilestoneFactory(partnership=alliance.partnership, status=Milestone.Status.IN_PROGRESS)
    client.force_login(manager)
    assert client.get(sign_url(milestone)).status_code == 403


def test_a_record_type_nobody_signs_has_no_signing_page(client, manager, alliance):
    client.force_login(manager)
    url = reverse("signatures:sign", args=["partners", "company", alliance.agc.pk])
    assert client.get(url).status_code == 404
    assert client.get(reverse("signatures:sign", args=["nope", "nothing", 1])).status_code == 404


def test_a_deactivated_signer_keeps_their_signatures_and_cannot_be_deleted(client, manager, done_milestone):
    from django.db.models import ProtectedError

    client.force_login(manager)
    sign(client, done_milestone)
    manager.is_active = False
    manager._change_reason = "Left the company"
    manager.save()

    assert Signature.objects.get().signer == manager
    with pytest.raises(ProtectedError):
        manager.delete()


def test_signing_the_same_version_twice_with_the_same_meaning_is_refused(client, manager, done_milestone):
    client.force_login(manager)
    sign(client, done_milestone)

    response = sign(client, done_milestone)

    assert response.status_code == 400
    assert "already signed this version" in response.content.decode()
    assert Signature.objects.count() == 1
