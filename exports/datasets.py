"""What each export contains: its columns (readable header, JSON key, type) and which filters apply to it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models
from django.db.models import F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast, Concat

from exports.filters import Filters
from milestones.models import Dependency, Milestone
from partners.models import Company, Exchange, Partnership, Person, Site


class CommaJoin(models.Aggregate):
    """Comma-separated values of a subquery's rows, on SQLite and PostgreSQL."""

    function = "GROUP_CONCAT"
    template = "%(function)s(%(expressions)s, ', ')"
    output_field = models.TextField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, function="STRING_AGG", **extra)


def joined(model: type[models.Model], link: str, value: str) -> Subquery:
    rows = model.objects.filter(**{link: OuterRef("pk")}).order_by().values(link)
    joined_values = CommaJoin(Cast(value, models.TextField()))
    return Subquery(rows.annotate(joined=joined_values).values("joined")[:1], output_field=models.TextField())


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    source: object  # a field path or an expression
    kind: str = "text"  # text | int | date | datetime | bool


@dataclass(frozen=True)
class Dataset:
    name: str
    label: str
    model: type[models.Model]
    columns: tuple[Column, ...]
    apply: Callable[[models.QuerySet, Filters], models.QuerySet]
    applies_to: frozenset[str]

    def queryset(self, filters: Filters) -> models.QuerySet:
        """Rows as tuples, in column order, oldest record first."""
        aliases = {
            f"x{i}": (F(c.source) if isinstance(c.source, str) else c.source) for i, c in enumerate(self.columns)
        }
        rows = self.apply(self.model._default_manager.all(), filters)
        return rows.order_by("pk").annotate(**aliases).values_list(*aliases)

    def applied(self, filters: Filters) -> dict[str, str]:
        return {key: value for key, value in filters.as_dict().items() if key in self.applies_to}


def party_group_ids(filters: Filters) -> set[int] | None:
    """Companies acting for the filtered partnership's parties (the parties and their subsidiaries)."""
    if not filters.partnership:
        return None
    partnership = Partnership.objects.prefetch_related("parties").get(pk=filters.partnership.pk)
    companies = Company.objects.select_related("parent__parent")
    return {company.pk for company in companies if partnership.party_for(company) is not None}


def filter_companies(rows, filters: Filters):
    if filters.company:
        rows = rows.filter(pk=filters.company.pk)
    group = party_group_ids(filters)
    return rows if group is None else rows.filter(pk__in=group)


def filter_sites(rows, filters: Filters):
    if filters.site:
        rows = rows.filter(pk=filters.site.pk)
    if filters.company:
        rows = rows.filter(company=filters.company)
    group = party_group_ids(filters)
    return rows if group is None else rows.filter(company__in=group)


def people_scope(filters: Filters, prefix: str = "") -> Q:
    """People based at the site, employed by the company, acting for the partnership's parties.

    ``prefix`` reaches the person from another record ("person__" for training records).
    """
    scope = Q()
    if filters.site:
        scope &= Q(**{f"{prefix}home_site": filters.site})
    if filters.company:
        scope &= Q(**{f"{prefix}employer": filters.company})
    group = party_group_ids(filters)
    if group is not None:
        scope &= Q(**{f"{prefix}employer__in": group})
    return scope


def filter_people(rows, filters: Filters):
    return rows.filter(people_scope(filters))


def filter_exchanges(rows, filters: Filters):
    if filters.partnership:
        rows = rows.filter(partnership=filters.partnership)
    if filters.site:
        rows = rows.at_site(filters.site)
    if filters.company:
        rows = rows.filter(Q(host_company=filters.company) | Q(person__employer=filters.company))
    return rows.during(filters.start, filters.end)


def filter_milestones(rows, filters: Filters):
    if filters.partnership:
        rows = rows.filter(partnership=filters.partnership)
    if filters.site:
        rows = rows.filter(site=filters.site)
    if filters.company:
        rows = rows.filter(site__company=filters.company)
    return rows.dated_within(filters.start, filters.end)


C = Column
DATASETS: dict[str, Dataset] = {
    "companies": Dataset(
        "companies",
        "Companies",
        Company,
        (
            C("id", "Company id", "pk", "int"),
            C("name", "Name", "name"),
            C("name_ja", "Name (Japanese)", "name_ja"),
            C("short_name", "Short name", "short_name"),
            C("parent_id", "Parent company id", "parent_id", "int"),
            C("parent", "Parent company", "parent__name"),
            C("kind", "Kind", "kind"),
            C("country", "Country", "country"),
            C("city", "City", "city"),
            C("website", "Website", "website"),
            C("notes", "Notes", "notes"),
        ),
        filter_companies,
        frozenset({"partnership", "company"}),
    ),
    "sites": Dataset(
        "sites",
        "Sites",
        Site,
        (
            C("id", "Site id", "pk", "int"),
            C("company_id", "Company id", "company_id", "int"),
            C("company", "Company", "company__name"),
            C("name", "Name", "name"),
            C("name_ja", "Name (Japanese)", "name_ja"),
            C("city", "City", "city"),
            C("country", "Country", "country"),
            C("status", "Status", "status"),
            C("operational_since", "Operational since", "operational_since", "date"),
            C("capabilities", "Capabilities", joined(Site.capabilities.through, "site", "capability__name")),
            C("notes", "Notes", "notes"),
        ),
        filter_sites,
        frozenset({"partnership", "site", "company"}),
    ),
    "people": Dataset(
        "people",
        "People",
        Person,
        (
            C("id", "Person id", "pk", "int"),
            C("name", "Name", "name"),
            C("name_ja", "Name (Japanese)", "name_ja"),
            C("employer_id", "Employer id", "employer_id", "int"),
            C("employer", "Employer", "employer__name"),
            C("home_site_id", "Home site id", "home_site_id", "int"),
            C("home_site", "Home site", "home_site__name"),
            C("function", "Function", "function"),
            C("job_title", "Job title", "job_title"),
            C("email", "Email", "email"),
            C("active", "Active", "active", "bool"),
        ),
        filter_people,
        frozenset({"partnership", "site", "company"}),
    ),
    "exchanges": Dataset(
        "exchanges",
        "Talent exchanges",
        Exchange,
        (
            C("id", "Exchange id", "pk", "int"),
            C("person_id", "Person id", "person_id", "int"),
            C("person", "Person", "person__name"),
            C("partnership_id", "Partnership id", "partnership_id", "int"),
            C("partnership", "Partnership", "partnership__name"),
            C(
                "direction",
                "Direction",
                Concat(
                    "home_party__short_name", Value(" → "), "host_party__short_name", output_field=models.TextField()
                ),
            ),
            C("host_company_id", "Host company id", "host_company_id", "int"),
            C("host_company", "Host company", "host_company__name"),
            C("host_site_id", "Host site id", "host_site_id", "int"),
            C("host_site", "Host site", "host_site__name"),
            C("host_supervisor_id", "Host supervisor id", "host_supervisor_id", "int"),
            C("host_supervisor", "Host supervisor", "host_supervisor__name"),
            C("kind", "Kind", "kind"),
            C("purpose", "Purpose", "purpose"),
            C("function_area", "Function area", "function_area"),
            C("planned_start", "Planned start", "planned_start", "date"),
            C("planned_end", "Planned end", "planned_end", "date"),
            C("actual_start", "Actual start", "actual_start", "date"),
            C("actual_end", "Actual end", "actual_end", "date"),
            C("status", "Status", "status"),
            C("objectives", "Objectives", "objectives"),
            C("outcome", "Outcome", "outcome"),
        ),
        filter_exchanges,
        frozenset({"start", "end", "partnership", "site", "company"}),
    ),
    "milestones": Dataset(
        "milestones",
        "Milestones",
        Milestone,
        (
            C("id", "Milestone id", "pk", "int"),
            C("partnership_id", "Partnership id", "partnership_id", "int"),
            C("partnership", "Partnership", "partnership__name"),
            C("site_id", "Site id", "site_id", "int"),
            C("site", "Site", "site__name"),
            C("title", "Title", "title"),
            C("description", "Description", "description"),
            C("owner_id", "Owner id", "owner_id", "int"),
            C("owner", "Owner", "owner__name"),
            C("baseline_date", "Baseline date", "baseline_date", "date"),
            C("forecast_date", "Forecast date", "forecast_date", "date"),
            C("actual_date", "Actual date", "actual_date", "date"),
            C("status", "Status", "status"),
            C("depends_on", "Depends on (ids)", joined(Dependency, "milestone", "depends_on_id")),
        ),
        filter_milestones,
        frozenset({"start", "end", "partnership", "site", "company"}),
    ),
}
