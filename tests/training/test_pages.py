from __future__ import annotations

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import PersonFactory
from tests.training.test_status import requirement, trained
from training.models import Curriculum

D = datetime.date


def test_matrix_shows_each_status_and_filters_by_site_and_function(auditor_client, alliance):
    gowning, aseptic = requirement("SOP-GOWN-B"), requirement("SOP-ASEPTIC", validity=None)
    curriculum = Curriculum.objects.create(name="Aseptic, Yokohama", function="manufacturing", site=alliance.yokohama)
    curriculum.requirements.set([gowning, aseptic])
    qualified = PersonFactory(name="Aya Qualified", employer=alliance.agc_bio, home_site=alliance.yokohama)
    trained(qualified, gowning, D(2026, 1, 10))
    trained(qualified, aseptic, D(2026, 1, 11))
    PersonFactory(name="Ken Untrained", employer=alliance.agc_bio, home_site=alliance.yokohama)
    PersonFactory(name="Elsewhere", employer=alliance.medinet, home_site=alliance.shinagawa)
    response = auditor_client.get(
        reverse("training:matrix"), {"site": alliance.yokohama.pk, "function": "manufacturing", "as_of": "2026-02-01"}
    )
    assert response.status_code == 200
    rows = {person.name: [cell.status.value for cell in cells] for person, cells in response.context["rows"]}
    assert rows == {
        "Aya Qualified": ["current", "current"],
        "Ken Untrained": ["not_trained", "not_trained"],
        "Yui Takahashi": ["not_trained", "not_trained"],  # the alliance fixture's Yokohama operator
    }
    assert [r.code for r in response.context["requirements"]] == ["SOP-ASEPTIC", "SOP-GOWN-B"]
    assert "Not trained" in response.text


def test_matrix_queries_stay_fixed_as_people_grow(auditor_client, alliance):
    reqs = [requirement(f"SOP-{n}") for n in range(4)]
    for _n in range(3):
        trained(PersonFactory(employer=alliance.medinet), reqs[0], D(2025, 5, 1))
    auditor_client.get(reverse("training:matrix"))
    with CaptureQueriesContext(connection) as few:
        auditor_client.get(reverse("training:matrix"))
    for n in range(40):
        trained(PersonFactory(employer=alliance.medinet), reqs[n % 4], D(2025, 5, 1))
    with CaptureQueriesContext(connection) as many:
        response = auditor_client.get(reverse("training:matrix"))
    assert len(response.context["rows"]) > 40
    assert len(many) == len(few)


def test_bad_matrix_filters_are_a_400(auditor_client, db):
    assert auditor_client.get(reverse("training:matrix"), {"as_of": "2026-02-30"}).status_code == 400


def test_person_page_says_whether_cleared_and_why_not(staff_client, alliance):
    gowning, aseptic = requirement("SOP-GOWN-B"), requirement("SOP-ASEPTIC")
    curriculum = Curriculum.objects.create(name="Aseptic, Yokohama", function="manufacturing", site=alliance.yokohama)
    curriculum.requirements.set([gowning, aseptic])
    person = PersonFactory(name="Aya", employer=alliance.agc_bio, home_site=alliance.yokohama)
    trained(person, gowning, D(2026, 1, 10), evidence="TRN-2026-0042")
    response = staff_client.get(reverse("training:person", args=[person.pk]))
    assert response.status_code == 200
    assert "Not cleared" in response.text
    assert "SOP-ASEPTIC Training SOP-ASEPTIC — Not trained" in response.text
    assert "TRN-2026-0042" in response.text
