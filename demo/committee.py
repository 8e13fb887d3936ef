"""Loading the steering committee's story (demo/steering.py): its meetings, the decisions its co-chairs sign,
the baseline they move, its actions and risks."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from audit.versions import version_of
from demo import illustrative, steering
from demo.records import REASON, set_links, upsert
from governance.models import Action, Body, Decision, Meeting, Risk
from governance.services import decision_set_concerns, meeting_set_attendees, risk_set_milestones
from milestones.models import Milestone
from milestones.services import milestone_save
from partners.models import Company, Partnership, Person, Site
from signatures.meanings import Meaning
from signatures.models import Signature
from signatures.services import signature_create


@transaction.atomic
def seed_governance(partnership: Partnership) -> None:
    """The steering committee's story: co-chairs, meetings, decisions approved by both co-chairs' signatures, the
    baseline they moved, actions (a few overdue) and the risks to the Yokohama launch."""
    companies = {company.name: company for company in Company.objects.all()}
    sites = {site.name: site for site in Site.objects.all()}
    for name, name_ja, employer, home_site, function, title in steering.PEOPLE:
        upsert(
            Person,
            {"email": name.lower().replace(" ", ".") + "@demo.example"},
            {
                "name": name,
                "name_ja": name_ja,
                "employer": companies[employer],
                "home_site": sites.get(home_site),
                "function": function,
                "job_title": title,
            },
        )
    people = {person.name: person for person in Person.objects.filter(email__endswith="@demo.example")}
    User = get_user_model()
    co_chairs = []
    for name, username, last_name in steering.CO_CHAIRS:
        user = User.objects.get(username=username)
        if user.last_name != last_name:  # signatures print the signer's full name
            user.last_name, user._change_reason = last_name, REASON
            user.save()
        co_chairs.append(upsert(Person, {"pk": people[name].pk}, {"user": user}))
    set_links(partnership, "co_chairs", co_chairs)

    meetings = {}
    for held_on, title, attendees, minutes in steering.MEETINGS:
        meeting = upsert(
            Meeting,
            {"partnership": partnership, "held_on": held_on, "kind": Body.JSC},
            {"title": title, "minutes": minutes},
        )
        if set(meeting.attendees.all()) != {people[name] for name in attendees}:
            meeting._change_reason = REASON
            meeting_set_attendees(meeting=meeting, attendees=[people[name] for name in attendees])
        meetings[held_on] = meeting

    milestones = {m.title: m for m in Milestone.objects.filter(partnership=partnership)}
    specs = {spec[0]: spec for spec in illustrative.MILESTONES}
    decisions = {}
    for held_on, title, text, rationale, concerns, _new_baseline in steering.DECISIONS:
        decision = upsert(
            Decision,
            {"partnership": partnership, "title": title},
            {"meeting": meetings[held_on], "text": text, "rationale": rationale},
        )
        if set(decision.milestones.all()) != {milestones[name] for name in concerns}:
            decision._change_reason = REASON
            decision_set_concerns(
                decision=decision,
                milestones=[milestones[name] for name in concerns],
                sites=list(decision.sites.all()),
                exchanges=list(decision.exchanges.all()),
            )
        if decision.status == Decision.Status.PROPOSED:
            approve_as_co_chairs(decision, co_chairs)
        decisions[title] = decision

    # The committee's first decision moves the partial start's baseline; the launch's waits for a manager.
    for _held_on, title, _text, _rationale, concerns, new_baseline in steering.DECISIONS[:1]:
        for name in concerns:
            milestone = milestones[name]
            if milestone.baseline_decision_id is None:
                milestone.baseline_date, milestone.baseline_decision = new_baseline, decisions[title]
                milestone._change_reason = f"{steering.REBASELINE_REASON} ({decisions[title].number})"
                milestone_save(milestone=milestone)
            *_start, actual, status, _deps, _description = specs[name][:9]
            upsert(Milestone, {"pk": milestone.pk}, {"actual_date": actual, "status": status})

    for title, owner, due_on, held_on, decision_title, done_on in steering.ACTIONS:
        upsert(
            Action,
            {"partnership": partnership, "title": title},
            {
                "owner": people[owner],
                "due_on": due_on,
                "meeting": meetings[held_on],
                "decision": decisions.get(decision_title),
                "status": Action.Status.DONE if done_on else Action.Status.OPEN,
                "done_on": done_on,
            },
        )
    for title, category, likelihood, impact, owner, mitigation, status, review_on, threatened in steering.RISKS:
        risk = upsert(
            Risk,
            {"partnership": partnership, "title": title},
            {
                "category": category,
                "likelihood": likelihood,
                "impact": impact,
                "owner": people[owner],
                "mitigation": mitigation,
                "status": status,
                "review_on": review_on,
            },
        )
        if set(risk.milestones.all()) != {milestones[name] for name in threatened}:
            risk._change_reason = REASON
            risk_set_milestones(risk=risk, milestones=[milestones[name] for name in threatened])


def approve_as_co_chairs(decision: Decision, co_chairs: list[Person]) -> None:
    """Each co-chair signs the decision "approved" through the signing service, as on the signing page (less the
    password, which the demo does not know); the signature of the second party approves it."""
    signed = set(
        Signature.objects.for_record(decision).filter(meaning=Meaning.APPROVED).values_list("signer", flat=True)
    )
    for person in co_chairs:
        if person.user_id in signed:
            continue
        signature_create(
            record=decision,
            signer=person.user,
            meaning=Meaning.APPROVED,
            opened_version=version_of(Decision, decision.pk),
        )
    decision.refresh_from_db()
