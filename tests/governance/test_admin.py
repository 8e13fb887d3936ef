"""Staff keep the committee's records in the admin: numbered on save, approval never by hand, nothing deleted."""

from __future__ import annotations

import datetime

from django.urls import reverse

from governance.models import Decision, Meeting, Risk
from partners.models import Partnership
from tests.conftest import login_as
from tests.factories import DecisionFactory, MeetingFactory, RiskFactory
from tests.governance.conftest import NOW
from tests.html_forms import form_values

D = datetime.date


def page_values(client, url: str, form_id: str) -> dict:
    return form_values(client.get(url).text, form_id)


def test_staff_add_a_decision_and_it_is_numbered_in_its_meetings_year(staff_client, alliance):
    meeting = MeetingFactory(partnership=alliance.partnership, held_on=D(2026, 2, 10))
    data = {
        "partnership": alliance.partnership.pk,
        "body": "jsc",
        "meeting": meeting.pk,
        "title": "Second shift at Yokohama",
        "text": "Start a second shift.",
        "status": "proposed",
        "change_reason": "",
    }
    response = staff_client.post(reverse("admin:governance_decision_add"), data)
    assert response.status_code == 302
    assert Decision.objects.get().number == "JSC-2026-01"


def test_the_admin_does_not_offer_approval_and_refuses_it_when_posted(staff_client, alliance):
    decision = DecisionFactory(partnership=alliance.partnership)
    url = reverse("admin:governance_decision_change", args=[decision.pk])
    page = staff_client.get(url)
    assert [value for value, _label in page.context["adminform"].form.fields["status"].choices] == [
        "proposed",
        "rejected",
    ]
    data = {**form_values(page.text, "decision_form"), "status": "approved", "change_reason": "Approved at the JSC"}
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert "Select a valid choice." in response.text
    decision.refresh_from_db()
    assert decision.status == Decision.Status.PROPOSED and decision.approved_at is None


def test_an_approved_decision_can_only_be_superseded_in_the_admin(staff_client, alliance):
    decision = DecisionFactory(partnership=alliance.partnership, approved=NOW)
    page = staff_client.get(reverse("admin:governance_decision_change", args=[decision.pk]))
    choices = [value for value, _label in page.context["adminform"].form.fields["status"].choices]
    assert choices == ["approved", "superseded"]


def test_meeting_attendees_from_outside_the_parties_are_refused_with_their_names(staff_client, alliance, outsider):
    data = {
        "partnership": alliance.partnership.pk,
        "kind": "jsc",
        "held_on": "2026-02-10",
        "title": "First JSC",
        "attendees": [alliance.agc_person.pk, alliance.medinet_person.pk, outsider.pk],
    }
    response = staff_client.post(reverse("admin:governance_meeting_add"), data)
    assert response.status_code == 200
    assert "Olivia Outsider work for none of the parties" in response.text
    assert not Meeting.objects.exists()


def test_a_risk_outside_the_scale_is_refused_with_a_message(staff_client, alliance):
    data = {
        "partnership": alliance.partnership.pk,
        "title": "Vector supply",
        "category": "supply",
        "likelihood": "6",
        "impact": "0",
        "owner": alliance.agc_person.pk,
        "status": "open",
        "review_on": "2026-06-30",
    }
    response = staff_client.post(reverse("admin:governance_risk_add"), data)
    assert response.status_code == 200
    assert response.text.count("Rate from 1 (lowest) to 5 (highest).") >= 2
    assert not Risk.objects.exists()


def test_nobody_deletes_a_governance_record_not_even_an_administrator(admin_client, alliance):
    risk = RiskFactory(partnership=alliance.partnership, owner=alliance.agc_person)
    response = admin_client.post(
        reverse("admin:governance_risk_delete", args=[risk.pk]), {"post": "yes", "change_reason": "No longer needed"}
    )
    assert response.status_code == 403
    assert Risk.objects.filter(pk=risk.pk).exists()


def test_co_chairs_outside_the_parties_are_refused_in_the_partnership_admin(admin_client, alliance, outsider):
    url = reverse("admin:partners_partnership_change", args=[alliance.partnership.pk])
    data = {
        **page_values(admin_client, url, "partnership_form"),
        "co_chairs": [alliance.agc_supervisor.pk, outsider.pk],
        "change_reason": "Named the co-chairs",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "Olivia Outsider work for none of the parties" in response.text
    data["co_chairs"] = [alliance.agc_supervisor.pk, alliance.medinet_supervisor.pk]
    assert admin_client.post(url, data).status_code == 302
    partnership = Partnership.objects.get(pk=alliance.partnership.pk)
    assert partnership.co_chairs_by_party() == {
        alliance.agc: [alliance.agc_supervisor],
        alliance.medinet: [alliance.medinet_supervisor],
    }


def test_the_decision_changelist_runs_a_fixed_number_of_queries(staff_client, alliance, django_assert_max_num_queries):
    meeting = MeetingFactory(partnership=alliance.partnership)
    for _n in range(25):
        DecisionFactory(partnership=alliance.partnership, meeting=meeting)
    with django_assert_max_num_queries(20):
        response = staff_client.get(reverse("admin:governance_decision_changelist"))
    assert response.status_code == 200 and "JSC-" in response.text


def test_only_those_who_manage_logins_link_a_login_to_a_person(client, alliance):
    url = reverse("admin:partners_person_change", args=[alliance.agc_person.pk])
    assert "user" not in login_as(client, "staff").get(url).context["adminform"].form.fields
    assert "user" in login_as(client, "admin").get(url).context["adminform"].form.fields
