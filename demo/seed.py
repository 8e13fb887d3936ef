"""Loading the demo: idempotent for the reference records, additive for synthetic exchanges."""

from __future__ import annotations

import datetime
import random
import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from audit.versions import version_of
from demo import illustrative, japanese, reference, steering
from governance.models import Action, Body, Decision, Meeting, Risk
from governance.services import decision_save, decision_set_concerns, meeting_set_attendees, risk_set_milestones
from milestones.models import Milestone
from milestones.services import milestone_save, milestone_set_dependencies
from partners.models import Capability, Company, Exchange, Function, Partnership, Person, Site
from partners.services import exchange_set_parties
from signatures.meanings import Meaning
from signatures.models import Signature
from signatures.services import signature_create
from training.models import Curriculum, Requirement, RequirementVersion, TrainingRecord

SYNTHETIC_EMAIL = "synthetic-{:07d}@demo.example"
SYNTHETIC_REASON = "Synthetic demo data (seed_demo --exchanges)"
# Each synthetic person gets this many back-to-back exchanges, so no two of theirs overlap.
EXCHANGES_PER_SYNTHETIC_PERSON = 10


@dataclass
class Login:
    username: str
    role: str
    password: str | None  # None: the user existed and keeps the password they had


REASON = "Demo data loaded by seed_demo"


def upsert(model: type[models.Model], lookup: dict, values: dict) -> models.Model:
    """Create or update one record through its rules, saving (and so writing history) only when something changed."""
    obj = model._default_manager.filter(**lookup).first() or model(**lookup)
    changed = obj.pk is None
    for name, value in values.items():
        field = model._meta.get_field(name)
        if field.is_relation:  # compare ids: an unsaved object has no related object to read yet
            current, wanted = getattr(obj, field.attname), value.pk if value is not None else None
        else:
            current, wanted = getattr(obj, name), value
        if current != wanted:
            setattr(obj, name, value)
            changed = True
    if changed:
        obj._change_reason = REASON
        if isinstance(obj, Milestone):
            return milestone_save(milestone=obj)
        if isinstance(obj, Decision):
            return decision_save(decision=obj)
        obj.full_clean()
        if isinstance(obj, Exchange):
            exchange_set_parties(exchange=obj)
        obj.save()
    return obj


def set_links(obj: models.Model, name: str, targets: list) -> None:
    manager = getattr(obj, name)
    if set(manager.all()) != set(targets):
        obj._change_reason = REASON
        manager.set(targets)


@transaction.atomic
def seed_reference() -> Partnership:
    companies: dict[str, Company] = {}
    for name, name_ja, short, parent, kind, country, city, website in reference.COMPANIES:
        companies[name] = upsert(
            Company,
            {"name": name},
            {
                "name_ja": name_ja,
                "short_name": short,
                "parent": companies.get(parent),
                "kind": kind,
                "country": country,
                "city": city,
                "website": website,
                "fiscal_year_start_month": reference.FISCAL_YEAR_STARTS.get(name),
            },
        )
    capabilities = {capability.code: capability for capability in Capability.objects.all()}
    for company, name, name_ja, city, country, status, since, caps, notes in reference.SITES:
        site = upsert(
            Site,
            {"company": companies[company], "name": name},
            {
                "name_ja": name_ja,
                "city": city,
                "country": country,
                "status": status,
                "operational_since": since,
                "notes": notes,
            },
        )
        set_links(site, "capabilities", [capabilities[code] for code in caps])

    spec = dict(reference.PARTNERSHIP)
    parties = [companies[party] for party in spec.pop("parties")]
    partnership = upsert(Partnership, {"name": spec.pop("name")}, spec)
    Partnership.validate_parties(parties)
    set_links(partnership, "parties", parties)
    return partnership


@transaction.atomic
def seed_illustrative(partnership: Partnership) -> None:
    companies = {company.name: company for company in Company.objects.all()}
    sites = {site.name: site for site in Site.objects.all()}
    people: dict[str, Person] = {}
    for name, name_ja, employer, home_site, function, title in illustrative.PEOPLE:
        people[name] = upsert(
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

    for (
        person,
        host,
        site,
        supervisor,
        kind,
        purpose,
        area,
        planned,
        actual,
        status,
        objectives,
    ) in illustrative.EXCHANGES:
        upsert(
            Exchange,
            {"person": people[person], "planned_start": planned[0]},
            {
                "partnership": partnership,
                "host_company": companies[host],
                "host_site": sites[site],
                "host_supervisor": people[supervisor],
                "kind": kind,
                "purpose": purpose,
                "function_area": area,
                "planned_end": planned[1],
                "actual_start": actual[0],
                "actual_end": actual[1],
                "status": status,
                "objectives": f"{objectives} ({illustrative.ILLUSTRATIVE})",
            },
        )

    milestones: dict[str, Milestone] = {}
    for title, site, owner, baseline, forecast, actual, status, _deps, description in illustrative.MILESTONES:
        reason = illustrative.SLIP_REASONS.get(title)
        existing = Milestone.objects.filter(partnership=partnership, title=title).first()
        # A baseline the steering committee moved starts on its first one; seed_governance() moves it, citing
        # the decision, and only then does the milestone reach its final state.
        first_baseline = steering.FIRST_BASELINES.get(title)
        waits_for_decision = first_baseline is not None and (existing is None or existing.baseline_decision_id is None)
        if reason and existing is None:
            # First as planned on the baseline, then moved with its reason, as the trail would show it.
            upsert(
                Milestone,
                {"partnership": partnership, "title": title},
                {"site": sites.get(site), "owner": people[owner], "baseline_date": first_baseline or baseline},
            )
            milestone = Milestone.objects.get(partnership=partnership, title=title)
            milestone.forecast_date = forecast
            if not waits_for_decision:
                milestone.actual_date, milestone.status = actual, status
            milestone._change_reason = reason
            milestone_save(milestone=milestone)
        if waits_for_decision:
            baseline, actual, status = first_baseline, None, Milestone.Status.IN_PROGRESS
        milestones[title] = upsert(
            Milestone,
            {"partnership": partnership, "title": title},
            {
                "site": sites.get(site),
                "owner": people[owner],
                "baseline_date": baseline,
                "forecast_date": forecast,
                "actual_date": actual,
                "status": status,
                "title_ja": japanese.MILESTONE_TITLES.get(title, ""),
                "description": description,
                "countdown": title == illustrative.LAUNCH,
            },
        )
    for title, *_rest, depends_on, _description in illustrative.MILESTONES:
        milestone = milestones[title]
        wanted = [milestones[d] for d in depends_on]
        if set(milestone.dependencies.all()) != set(wanted):
            milestone._change_reason = REASON
            milestone_set_dependencies(milestone=milestone, depends_on=wanted)


@transaction.atomic
def seed_training() -> None:
    sites = {site.name: site for site in Site.objects.all()}
    people = {person.name: person for person in Person.objects.filter(email__endswith="@demo.example")}
    requirements = {}
    for code, title, validity, evaluation, versions in illustrative.REQUIREMENTS:
        requirement = upsert(
            Requirement,
            {"code": code},
            {
                "title": title,
                "title_ja": japanese.REQUIREMENT_TITLES.get(code, ""),
                "validity_months": validity,
                "needs_evaluation": evaluation,
            },
        )
        for number, effective in versions:
            upsert(RequirementVersion, {"requirement": requirement, "version": number}, {"effective_from": effective})
        requirements[code] = requirement
    for name, function, site, codes in illustrative.CURRICULA:
        curriculum = upsert(
            Curriculum,
            {"name": name},
            {"name_ja": japanese.CURRICULUM_NAMES.get(name, ""), "function": function, "site": sites[site]},
        )
        set_links(curriculum, "requirements", [requirements[code] for code in codes])
    for person, code, number, day, trainer, evaluator, evidence in illustrative.TRAINING_RECORDS:
        upsert(
            TrainingRecord,
            {"person": people[person], "requirement": requirements[code], "completed_on": day},
            {
                "version": requirements[code].versions.get(version=number),
                "trainer": people.get(trainer),
                "evaluator": people.get(evaluator),
                "evidence": evidence,
            },
        )
    function, headcount = illustrative.LAUNCH_NEED
    launch = Milestone.objects.filter(title=illustrative.LAUNCH).first()
    if launch is not None:
        upsert(Milestone, {"pk": launch.pk}, {"required_function": function, "required_headcount": headcount})


def demo_password_problems(password: str) -> list[str]:
    """What the password rules say about ``password`` for any of the demo users (empty when it suits them all)."""
    User = get_user_model()
    problems = []
    for username, _role, first_name in illustrative.DEMO_USERS:
        try:
            validate_password(password, User(username=username, first_name=first_name, email=demo_email(username)))
        except ValidationError as error:
            problems += [f"{username}: {message}" for message in error.messages]
    return problems


def demo_email(username: str) -> str:
    return f"{username}@demo.example"


def random_password(user) -> str:
    """A random password that the password rules accept for this user (a random one rarely spells a username)."""
    while True:
        candidate = secrets.token_urlsafe(12)
        try:
            validate_password(candidate, user)
        except ValidationError:
            continue
        return candidate


@transaction.atomic
def seed_users(password: str | None) -> list[Login]:
    """The demo users; ``password`` should pass demo_password_problems first (the command checks)."""
    User = get_user_model()
    logins = []
    for username, role, first_name in illustrative.DEMO_USERS:
        user = User.objects.filter(username=username).first()
        created = user is None
        if created:
            user = User(username=username, first_name=first_name, email=demo_email(username))
        # Accounts are on the audit trail: save (and so write history) only what changes, with the reason.
        wanted = {"is_staff": True, "is_superuser": role is None, "is_active": True}
        changed = created or any(getattr(user, name) != value for name, value in wanted.items())
        for name, value in wanted.items():
            setattr(user, name, value)
        new_password = password or (random_password(user) if created else None)
        if new_password:
            user.set_password(new_password)
        if changed or new_password:
            user._change_reason = REASON
            user.save()
        if role:
            set_links(user, "groups", [Group.objects.get(name=role)])
        logins.append(Login(username=username, role=role or "Administrator", password=new_password))
    return logins


def add_synthetic_exchanges(partnership: Partnership, count: int, *, seed: int | None = None) -> int:
    """Add ``count`` realistic exchanges in bulk, across people, sites, functions and both directions.

    Built to satisfy every Exchange rule by construction (each synthetic person's exchanges follow
    one another; hosts are always the other party), so rows go in with bulk_create, not one clean() each.
    """
    if count <= 0:
        return 0
    rng = random.Random(seed)
    today = timezone.localdate()
    parties = list(partnership.parties.all())
    party_by_company = {company.pk: partnership.party_for(company) for company in Company.objects.all()}
    sites_by_party: dict[int, list[Site]] = {party.pk: [] for party in parties}
    for site in Site.objects.exclude(status=Site.Status.CLOSED).select_related("company"):
        party = party_by_company[site.company_id]
        if party is not None:
            sites_by_party[party.pk].append(site)
    functions = list(Function.values)
    first = Person.objects.filter(email__startswith="synthetic-").count()
    people_needed = -(-count // EXCHANGES_PER_SYNTHETIC_PERSON)

    with transaction.atomic():
        people = []
        for index in range(first, first + people_needed):
            home = parties[index % len(parties)]
            site = rng.choice(sites_by_party[home.pk] or [None])
            person = Person(
                name=f"Demo Person {index:07d}",
                employer=site.company if site else home,
                home_site=site,
                function=rng.choice(functions),
                job_title="Synthetic demo record",
                email=SYNTHETIC_EMAIL.format(index),
            )
            person._change_reason = SYNTHETIC_REASON
            people.append(person)
        # Audited bulk_create: writes the history rows too (primary keys come back on both databases).
        people = Person.objects.bulk_create(people, batch_size=2000)

        exchanges = []
        signed = partnership.signed_on
        for person in people:
            home = party_by_company[person.employer_id]
            hosts = [party for party in parties if party != home]
            start = signed + datetime.timedelta(days=rng.randint(0, 500))
            for _n in range(min(EXCHANGES_PER_SYNTHETIC_PERSON, count - len(exchanges))):
                host = rng.choice(hosts)
                site = rng.choice(sites_by_party[host.pk] or [None])
                end = start + datetime.timedelta(days=rng.randint(20, 180))
                exchanges.append(_synthetic_exchange(rng, partnership, person, home, host, site, start, end, today))
                start = end + datetime.timedelta(days=rng.randint(1, 60))
        Exchange.objects.bulk_create(exchanges, batch_size=2000)
    return len(exchanges)


def _synthetic_exchange(rng, partnership, person, home, host, site, start, end, today) -> Exchange:
    exchange = Exchange(
        person=person,
        partnership=partnership,
        home_party=home,
        host_party=host,
        host_company=site.company if site else host,
        host_site=site,
        kind=rng.choice(Exchange.Kind.values),
        purpose=rng.choice(Exchange.Purpose.values),
        function_area=person.function,
        planned_start=start,
        planned_end=end,
        objectives="Synthetic demo record.",
    )
    exchange._change_reason = SYNTHETIC_REASON
    if rng.random() < 0.05:
        exchange.status = Exchange.Status.CANCELLED
    elif end < today:
        exchange.status = Exchange.Status.COMPLETED
        exchange.actual_start, exchange.actual_end = start, end
    elif start <= today:
        exchange.status = Exchange.Status.ACTIVE
        exchange.actual_start = start
    return exchange


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
