"""Loading the demo: idempotent for the reference records, additive for synthetic exchanges."""

from __future__ import annotations

import datetime
import random
import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from demo import reference
from milestones.models import Milestone
from milestones.services import milestone_set_dependencies
from partners.models import Capability, Company, Exchange, Function, Partnership, PartnershipParty, Person, Site

SYNTHETIC_EMAIL = "synthetic-{:07d}@demo.example"
# Each synthetic person gets this many back-to-back exchanges, so no two of theirs overlap.
EXCHANGES_PER_SYNTHETIC_PERSON = 10


@dataclass
class Login:
    username: str
    role: str
    password: str | None  # None: the user existed and keeps the password they had


@transaction.atomic
def seed_reference() -> Partnership:
    companies: dict[str, Company] = {}
    for name, name_ja, short, parent, kind, country, city, website in reference.COMPANIES:
        companies[name], _ = Company.objects.update_or_create(
            name=name,
            defaults={
                "name_ja": name_ja,
                "short_name": short,
                "parent": companies.get(parent),
                "kind": kind,
                "country": country,
                "city": city,
                "website": website,
            },
        )
    capabilities = {capability.code: capability for capability in Capability.objects.all()}
    for company, name, name_ja, city, country, status, since, caps, notes in reference.SITES:
        site, _ = Site.objects.update_or_create(
            company=companies[company],
            name=name,
            defaults={
                "name_ja": name_ja,
                "city": city,
                "country": country,
                "status": status,
                "operational_since": since,
                "notes": notes,
            },
        )
        site.capabilities.set([capabilities[code] for code in caps])

    spec = dict(reference.PARTNERSHIP)
    parties = spec.pop("parties")
    partnership, _ = Partnership.objects.update_or_create(name=spec.pop("name"), defaults=spec)
    for party in parties:
        PartnershipParty.objects.get_or_create(partnership=partnership, company=companies[party])
    return partnership


@transaction.atomic
def seed_illustrative(partnership: Partnership) -> None:
    companies = {company.name: company for company in Company.objects.all()}
    sites = {site.name: site for site in Site.objects.all()}
    people: dict[str, Person] = {}
    for name, name_ja, employer, home_site, function, title in reference.PEOPLE:
        email = name.lower().replace(" ", ".") + "@demo.example"
        people[name], _ = Person.objects.update_or_create(
            email=email,
            defaults={
                "name": name,
                "name_ja": name_ja,
                "employer": companies[employer],
                "home_site": sites.get(home_site),
                "function": function,
                "job_title": title,
            },
        )

    for person, host, site, supervisor, kind, purpose, area, planned, actual, status, objectives in reference.EXCHANGES:
        exchange = Exchange.objects.filter(person=people[person], planned_start=planned[0]).first() or Exchange(
            person=people[person], planned_start=planned[0]
        )
        exchange.partnership = partnership
        exchange.host_company = companies[host]
        exchange.host_site = sites[site]
        exchange.host_supervisor = people[supervisor]
        exchange.kind, exchange.purpose, exchange.function_area = kind, purpose, area
        exchange.planned_end = planned[1]
        exchange.actual_start, exchange.actual_end = actual
        exchange.status, exchange.objectives = status, f"{objectives} ({reference.ILLUSTRATIVE})"
        exchange.full_clean()
        exchange.save()

    milestones: dict[str, Milestone] = {}
    for title, site, owner, baseline, forecast, actual, status, _deps, description in reference.MILESTONES:
        milestone = Milestone.objects.filter(partnership=partnership, title=title).first() or Milestone(
            partnership=partnership, title=title
        )
        milestone.site, milestone.owner = sites.get(site), people[owner]
        milestone.baseline_date, milestone.forecast_date, milestone.actual_date = baseline, forecast, actual
        milestone.status, milestone.description = status, description
        milestone.full_clean()
        milestone.save()
        milestones[title] = milestone
    for title, *_rest, depends_on, _description in reference.MILESTONES:
        milestone_set_dependencies(milestone=milestones[title], depends_on=[milestones[d] for d in depends_on])


@transaction.atomic
def seed_users(password: str | None) -> list[Login]:
    User = get_user_model()
    logins = []
    for username, role, first_name in reference.DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": first_name, "email": f"{username}@demo.example"}
        )
        user.is_staff = True
        user.is_superuser = role is None
        user.is_active = True
        new_password = password or (secrets.token_urlsafe(12) if created else None)
        if new_password:
            user.set_password(new_password)
        user.save()
        if role:
            user.groups.set([Group.objects.get(name=role)])
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
            people.append(
                Person(
                    name=f"Demo Person {index:07d}",
                    employer=site.company if site else home,
                    home_site=site,
                    function=rng.choice(functions),
                    job_title="Synthetic demo record",
                    email=SYNTHETIC_EMAIL.format(index),
                )
            )
        people = Person.objects.bulk_create(people, batch_size=2000)  # primary keys come back on both databases

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
    if rng.random() < 0.05:
        exchange.status = Exchange.Status.CANCELLED
    elif end < today:
        exchange.status = Exchange.Status.COMPLETED
        exchange.actual_start, exchange.actual_end = start, end
    elif start <= today:
        exchange.status = Exchange.Status.ACTIVE
        exchange.actual_start = start
    return exchange
