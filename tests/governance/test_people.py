"""Who belongs to a partnership's parties: co-chairs, attendees and owners all come from them."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from partners.services import partnership_set_co_chairs
from tests.factories import CompanyFactory, PersonFactory, UserFactory


def test_party_of_a_person_is_their_employer_or_the_party_it_is_a_subsidiary_of(alliance, outsider):
    partnership = alliance.partnership
    assert partnership.party_of(alliance.medinet_person) == alliance.medinet
    assert partnership.party_of(alliance.agc_person) == alliance.agc  # employed by AGC Biologics
    grandchild = PersonFactory(employer=CompanyFactory(name="AGC Bio Japan", parent=alliance.agc_bio))
    assert partnership.party_of(grandchild) == alliance.agc
    assert partnership.party_of(outsider) is None


def test_co_chairs_by_party_lists_every_party_even_one_without_a_co_chair(alliance):
    partnership = alliance.partnership
    partnership._change_reason = "Co-chairs named at the first JSC"
    partnership_set_co_chairs(partnership=partnership, co_chairs=[alliance.agc_supervisor])
    assert partnership.co_chairs_by_party() == {alliance.agc: [alliance.agc_supervisor], alliance.medinet: []}

    partnership_set_co_chairs(partnership=partnership, co_chairs=[alliance.agc_supervisor, alliance.medinet_supervisor])
    assert partnership.co_chairs_by_party() == {
        alliance.agc: [alliance.agc_supervisor],
        alliance.medinet: [alliance.medinet_supervisor],
    }


def test_co_chairs_by_party_takes_a_fixed_number_of_queries(alliance, django_assert_num_queries):
    deep = CompanyFactory(name="AGC Bio Japan", parent=alliance.agc_bio)
    people = [PersonFactory(employer=deep), alliance.agc_supervisor, alliance.medinet_supervisor]
    partnership_set_co_chairs(partnership=alliance.partnership, co_chairs=people)
    with django_assert_num_queries(2):
        by_party = alliance.partnership.co_chairs_by_party()
    assert len(by_party[alliance.agc]) == 2


def test_a_co_chair_must_work_for_a_party(alliance, outsider):
    with pytest.raises(ValidationError) as refused:
        partnership_set_co_chairs(partnership=alliance.partnership, co_chairs=[alliance.agc_person, outsider])
    assert refused.value.error_list[0].code == "co_chair_not_party"
    assert "Olivia Outsider" in refused.value.messages[0]
    assert list(alliance.partnership.co_chairs.all()) == []


def test_co_chair_changes_join_the_partnerships_trail_with_the_reason(alliance):
    partnership = alliance.partnership
    partnership._change_reason = "Co-chairs named at the first JSC"
    partnership_set_co_chairs(partnership=partnership, co_chairs=[alliance.agc_supervisor])
    latest = partnership.history.latest()
    assert list(latest.co_chairs.values_list("person_id", flat=True)) == [alliance.agc_supervisor.pk]
    assert latest.history_change_reason == "Co-chairs named at the first JSC"


def test_a_user_account_belongs_to_at_most_one_person(alliance):
    user = UserFactory(username="yui")
    person = alliance.agc_person
    person.user = user
    person.save()
    assert user.person == person
    other = alliance.medinet_person
    other.user = user
    with pytest.raises(ValidationError) as refused:
        other.full_clean()
    assert refused.value.error_dict["user"][0].code == "unique"
    with pytest.raises(IntegrityError), transaction.atomic():
        other.save()
