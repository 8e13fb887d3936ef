"""Rules on companies, partnerships, sites and people."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from partners.models import Company, Exchange, Partnership, Person, Site
from tests.factories import CompanyFactory, PartnershipFactory, PersonFactory, SiteFactory


def test_subsidiary_acts_for_its_parent_in_a_partnership(alliance):
    assert alliance.partnership.party_for(alliance.agc_bio) == alliance.agc
    assert alliance.partnership.party_for(alliance.medinet) == alliance.medinet
    assert alliance.partnership.party_for(CompanyFactory()) is None


def test_company_cannot_be_its_own_parent(db):
    company = CompanyFactory()
    company.parent = company
    with pytest.raises(ValidationError) as caught:
        company.full_clean()
    assert caught.value.message_dict["parent"] == ["A company cannot be its own parent."]


def test_company_parent_chain_cannot_loop(db):
    parent = CompanyFactory(name="Holding")
    child = CompanyFactory(name="Subsidiary", parent=parent)
    parent.parent = child
    with pytest.raises(ValidationError) as caught:
        parent.full_clean()
    assert "would make a loop" in caught.value.message_dict["parent"][0]


def test_database_refuses_a_company_that_is_its_own_parent(db):
    company = CompanyFactory()
    company.parent_id = company.pk
    with pytest.raises(IntegrityError), transaction.atomic():
        company.save()


def test_company_names_are_unique(db):
    CompanyFactory(name="MEDINET Co., Ltd.")
    with pytest.raises(ValidationError) as caught:
        CompanyFactory(name="MEDINET Co., Ltd.")
    assert "name" in caught.value.message_dict


def test_site_names_are_unique_per_company_only(db):
    agc_bio, medinet = CompanyFactory(), CompanyFactory()
    SiteFactory(company=agc_bio, name="Yokohama")
    SiteFactory(company=medinet, name="Yokohama")
    with pytest.raises(ValidationError) as caught:
        SiteFactory(company=agc_bio, name="Yokohama")
    assert caught.value.messages == ["This company already has a site with this name."]


def test_site_in_operation_needs_its_start_date(db):
    with pytest.raises(ValidationError) as caught:
        SiteFactory(status=Site.Status.PARTIAL, operational_since=None)
    assert caught.value.message_dict["operational_since"] == [
        "A site in operation needs the date it started operating."
    ]
    SiteFactory(status=Site.Status.PLANNED, operational_since=None)


def test_person_email_is_unique_ignoring_case_but_optional(db):
    PersonFactory(email="yui.takahashi@example.com")
    with pytest.raises(ValidationError) as caught:
        PersonFactory(email="Yui.Takahashi@Example.com")
    assert caught.value.messages == ["Another person already has this email address."]
    PersonFactory(email="")
    PersonFactory(email="")  # many people have no address on record


def test_person_email_is_stored_in_lower_case(db):
    assert PersonFactory(email="Ren.Shimizu@Example.COM").email == "ren.shimizu@example.com"


def test_validating_a_person_shows_the_email_as_it_will_be_stored_and_clean_changes_nothing(alliance):
    person = PersonFactory.build(employer=alliance.medinet, email=" Ren.Shimizu@Example.COM ")
    person.clean()
    assert person.email == " Ren.Shimizu@Example.COM "  # clean() judges, it does not edit
    person.full_clean()
    assert person.email == "ren.shimizu@example.com"


def test_a_person_saved_without_validation_still_has_a_lower_case_email(alliance):
    person = PersonFactory.build(employer=alliance.medinet, email="Ren.Shimizu@Example.COM")
    person.save()
    assert Person.objects.get(pk=person.pk).email == "ren.shimizu@example.com"


def test_person_home_site_must_be_in_the_employer_group(alliance):
    person = PersonFactory.build(employer=alliance.medinet, home_site=alliance.yokohama)
    with pytest.raises(ValidationError) as caught:
        person.full_clean()
    assert "not in MEDINET Co., Ltd.'s group" in caught.value.message_dict["home_site"][0]
    # AGC Inc. staff may be based at an AGC Biologics site: same group.
    PersonFactory(employer=alliance.agc, home_site=alliance.yokohama)


def test_signed_partnership_needs_a_signing_date(db):
    with pytest.raises(ValidationError) as caught:
        PartnershipFactory(status=Partnership.Status.ACTIVE, signed_on=None)
    assert caught.value.messages == ["Only a partnership in negotiation can be without a signing date."]
    PartnershipFactory(status=Partnership.Status.NEGOTIATING, signed_on=None)


def test_exchange_under_an_unsigned_partnership_is_refused(alliance):
    draft = PartnershipFactory(
        status=Partnership.Status.NEGOTIATING, signed_on=None, parties=[alliance.agc, alliance.medinet]
    )
    exchange = Exchange(
        person=alliance.agc_person,
        partnership=draft,
        host_company=alliance.medinet,
        purpose="training",
        function_area="manufacturing",
        planned_start=datetime.date(2025, 1, 6),
        planned_end=datetime.date(2025, 2, 6),
    )
    with pytest.raises(ValidationError) as caught:
        exchange.full_clean()
    assert caught.value.message_dict["partnership"] == ["This partnership has not been signed yet."]


def partnership_form(companies: list[Company]) -> dict:
    return {
        "name": "Second agreement",
        "status": "active",
        "signed_on": "2025-04-01",
        "announced_on": "",
        "scope": "Joint QC training.",
        "party_companies": [company.pk for company in companies],
        "change_reason": "New agreement signed",
    }


def test_partnership_needs_two_parties_in_the_admin(admin_client, alliance):
    response = admin_client.post(reverse("admin:partners_partnership_add"), partnership_form([alliance.medinet]))
    assert response.status_code == 200
    assert "A partnership needs at least two parties." in response.text
    assert not Partnership.objects.filter(name="Second agreement").exists()


def test_partnership_cannot_list_a_parent_and_its_subsidiary(admin_client, alliance):
    response = admin_client.post(
        reverse("admin:partners_partnership_add"),
        partnership_form([alliance.agc, alliance.agc_bio, alliance.medinet]),
    )
    assert "a subsidiary acts for its parent, so list only the parent" in response.text
    assert not Partnership.objects.filter(name="Second agreement").exists()


def test_partnership_with_two_parties_is_saved_from_the_admin(admin_client, alliance):
    response = admin_client.post(
        reverse("admin:partners_partnership_add"), partnership_form([alliance.agc, alliance.medinet])
    )
    assert response.status_code == 302
    saved = Partnership.objects.get(name="Second agreement")
    assert set(saved.parties.all()) == {alliance.agc, alliance.medinet}
