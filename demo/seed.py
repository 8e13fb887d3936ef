"""Loading the demo: idempotent for the reference records, additive for synthetic exchanges.

This module loads the partnership itself (reference companies, sites and agreement; illustrative people, exchanges
and milestones). The demo users, the committee's story, the training and the synthetic exchanges are loaded by the
modules named for them, and re-exported here because seed_demo, bench/ and tests/ import every step from demo.seed.
"""

from __future__ import annotations

from django.db import transaction

from demo import illustrative, japanese, reference, steering
from demo.committee import seed_governance
from demo.qualifications import seed_training
from demo.records import REASON, set_links, upsert
from demo.synthetic import SYNTHETIC_REASON, add_synthetic_exchanges
from demo.users import demo_password_problems, seed_users
from milestones.models import Milestone
from milestones.services import milestone_save, milestone_set_dependencies
from partners.models import Capability, Company, Exchange, Partnership, Person, Site

__all__ = [
    "SYNTHETIC_REASON",
    "add_synthetic_exchanges",
    "demo_password_problems",
    "seed_governance",
    "seed_illustrative",
    "seed_reference",
    "seed_training",
    "seed_users",
]


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
