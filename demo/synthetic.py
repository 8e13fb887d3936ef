"""Synthetic exchanges in bulk (seed_demo --exchanges): realistic volume for benchmarks and query-count tests."""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from partners.models import Company, Exchange, Function, Partnership, Person, Site

SYNTHETIC_EMAIL = "synthetic-{:07d}@demo.example"
SYNTHETIC_REASON = "Synthetic demo data (seed_demo --exchanges)"
# Each synthetic person gets this many back-to-back exchanges, so no two of theirs overlap.
EXCHANGES_PER_SYNTHETIC_PERSON = 10


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
