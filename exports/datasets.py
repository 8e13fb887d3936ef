"""What each export contains: its columns (readable header, JSON key, type) and which filters apply to it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models
from django.db.models import F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat, Substr
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from exports.filters import Filters
from exports.sql_cells import StoredCell
from milestones.models import Dependency, Milestone
from partners.models import Company, Exchange, Partnership, Person, Site
from partners.models.exchange import PERIOD_START
from signatures.models import Signature


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


def signed_by(model_label: str) -> Subquery:
    """A record's signatures in its own row: "name (meaning, YYYY-MM-DD HH:MM UTC)", joined by commas.

    The minute is cut from the database's own text of the time (UTC on both), so SQLite and PostgreSQL agree.
    """
    app_label, model_name = model_label.split(".")
    rows = (
        Signature.objects.filter(
            content_type__app_label=app_label, content_type__model=model_name, object_id=OuterRef("pk")
        )
        .order_by()
        .values("object_id")
    )
    text = Concat(
        "printed_name",
        Value(" ("),
        "meaning",
        Value(", "),
        Substr(Cast("signed_at", models.TextField()), 1, 16),
        Value(" UTC)"),
        output_field=models.TextField(),
    )
    return Subquery(rows.annotate(joined=CommaJoin(text)).values("joined")[:1], output_field=models.TextField())


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    source: object  # a field path or an expression
    # text | code | int | date | datetime | bool. "code" is text that can never start a spreadsheet formula (keys,
    # field names, fixed labels, hex digests): PostgreSQL writes it without the formula check. A column is marked so
    # only where a test proves it of every value it can hold (tests/exports/test_formula_safety.py).
    kind: str = "text"
    # A text field whose CSV cell PostgreSQL keeps beside it (exports.sql_cells.StoredCell): COPY reads the cell as it
    # is. Only for fields listed in partners' migration 0011 (tests/exports/test_stored_cells.py).
    stored: bool = False


@dataclass(frozen=True)
class Dataset:
    name: str
    label: str
    model: type[models.Model]
    columns: tuple[Column, ...]
    apply: Callable[[models.QuerySet, Filters], models.QuerySet]
    applies_to: frozenset[str]
    # The date that places a row in a year, for exports grouped by calendar or fiscal year.
    year_date: object = None

    def by_year(self, filters: Filters) -> bool:
        return filters.year_basis is not None and self.year_date is not None

    def columns_for(self, filters: Filters) -> tuple[Column, ...]:
        """The columns, and first the row's year when the export is grouped by year."""
        if not self.by_year(filters):
            return self.columns
        basis = filters.year_basis
        header = lazy(lambda: basis.label, str)()
        return (Column("year", header, basis.year_expression(self.year_date), "int"), *self.columns)

    def queryset(self, filters: Filters) -> models.QuerySet:
        """Rows as tuples, in column order: oldest record first, or by year then oldest record first."""
        rows, aliases = self.annotated(filters)
        order = ["x0", "pk"] if self.by_year(filters) else ["pk"]
        return rows.order_by(*order).values_list(*aliases)

    def copy_queryset(self, filters: Filters) -> models.QuerySet:
        """The rows as ``queryset`` gives them, with the stored cells of the columns that have one (PostgreSQL)."""
        rows, aliases = self.annotated(filters, stored=True)
        order = ["x0", "pk"] if self.by_year(filters) else ["pk"]
        return rows.order_by(*order).values_list(*aliases)

    def annotated(self, filters: Filters, *, stored: bool = False) -> tuple[models.QuerySet, list[str]]:
        """The filtered records with each column as an annotation ``x<i>`` (column keys may be field names); with
        ``stored``, the stored CSV cells of the columns that have one."""
        aliases = {f"x{i}": self.selected(c, stored=stored) for i, c in enumerate(self.columns_for(filters))}
        return self.apply(self.model._default_manager.all(), filters).annotate(**aliases), list(aliases)

    @staticmethod
    def selected(column: Column, *, stored: bool):
        if stored and column.stored:
            return StoredCell(column.source)
        return F(column.source) if isinstance(column.source, str) else column.source

    def copy_cells(self, filters: Filters) -> frozenset[str]:
        """Keys of the columns ``copy_queryset`` gives as final CSV cells."""
        return frozenset(c.key for c in self.columns_for(filters) if c.stored)

    def applied(self, filters: Filters) -> dict[str, str]:
        keys = self.applies_to | ({"year_basis", "fiscal_year"} if self.year_date is not None else set())
        return {key: value for key, value in filters.as_dict().items() if key in keys or key == "headers"}


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


def filter_scoped(rows, filters: Filters):
    """Exchanges and milestones: the same ``filtered()`` verb as the dashboard's."""
    return rows.filtered(**filters.scope())


C = Column
DATASETS: dict[str, Dataset] = {
    "companies": Dataset(
        "companies",
        _("Companies"),
        Company,
        (
            C("id", _("Company id"), "pk", "int"),
            C("name", _("Name"), "name"),
            C("name_ja", _("Name (Japanese)"), "name_ja"),
            C("short_name", _("Short name"), "short_name"),
            C("parent_id", _("Parent company id"), "parent_id", "int"),
            C("parent", _("Parent company"), "parent__name"),
            C("kind", _("Kind"), "kind"),
            C("country", _("Country"), "country"),
            C("city", _("City"), "city"),
            C("website", _("Website"), "website"),
            C("notes", _("Notes"), "notes"),
        ),
        filter_companies,
        frozenset({"partnership", "company"}),
    ),
    "sites": Dataset(
        "sites",
        _("Sites"),
        Site,
        (
            C("id", _("Site id"), "pk", "int"),
            C("company_id", _("Company id"), "company_id", "int"),
            C("company", _("Company"), "company__name"),
            C("name", _("Name"), "name"),
            C("name_ja", _("Name (Japanese)"), "name_ja"),
            C("city", _("City"), "city"),
            C("country", _("Country"), "country"),
            C("status", _("Status"), "status"),
            C("operational_since", _("Operational since"), "operational_since", "date"),
            C("capabilities", _("Capabilities"), joined(Site.capabilities.through, "site", "capability__name")),
            C("notes", _("Notes"), "notes"),
        ),
        filter_sites,
        frozenset({"partnership", "site", "company"}),
    ),
    "people": Dataset(
        "people",
        _("People"),
        Person,
        (
            C("id", _("Person id"), "pk", "int"),
            C("name", _("Name"), "name", stored=True),
            C("name_ja", _("Name (Japanese)"), "name_ja", stored=True),
            C("employer_id", _("Employer id"), "employer_id", "int"),
            C("employer", _("Employer"), "employer__name", stored=True),
            C("home_site_id", _("Home site id"), "home_site_id", "int"),
            C("home_site", _("Home site"), "home_site__name", stored=True),
            C("function", _("Function"), "function", stored=True),
            C("job_title", _("Job title"), "job_title", stored=True),
            C("email", _("Email"), "email", stored=True),
            C("active", _("Active"), "active", "bool"),
        ),
        filter_people,
        frozenset({"partnership", "site", "company"}),
    ),
    "exchanges": Dataset(
        "exchanges",
        _("Talent exchanges"),
        Exchange,
        (
            C("id", _("Exchange id"), "pk", "int"),
            C("person_id", _("Person id"), "person_id", "int"),
            C("person", _("Person"), "person__name"),
            C("partnership_id", _("Partnership id"), "partnership_id", "int"),
            C("partnership", _("Partnership"), "partnership__name"),
            C(
                "direction",
                _("Direction"),
                Concat(
                    "home_party__short_name", Value(" → "), "host_party__short_name", output_field=models.TextField()
                ),
            ),
            C("host_company_id", _("Host company id"), "host_company_id", "int"),
            C("host_company", _("Host company"), "host_company__name"),
            C("host_site_id", _("Host site id"), "host_site_id", "int"),
            C("host_site", _("Host site"), "host_site__name"),
            C("host_supervisor_id", _("Host supervisor id"), "host_supervisor_id", "int"),
            C("host_supervisor", _("Host supervisor"), "host_supervisor__name"),
            C("kind", _("Kind"), "kind"),
            C("purpose", _("Purpose"), "purpose"),
            C("function_area", _("Function area"), "function_area"),
            C("planned_start", _("Planned start"), "planned_start", "date"),
            C("planned_end", _("Planned end"), "planned_end", "date"),
            C("actual_start", _("Actual start"), "actual_start", "date"),
            C("actual_end", _("Actual end"), "actual_end", "date"),
            C("status", _("Status"), "status"),
            C("objectives", _("Objectives"), "objectives"),
            C("outcome", _("Outcome"), "outcome"),
            C("signatures", _("Signatures"), signed_by("partners.exchange")),
        ),
        filter_scoped,
        frozenset({"start", "end", "partnership", "site", "company"}),
        year_date=PERIOD_START,
    ),
    "milestones": Dataset(
        "milestones",
        _("Milestones"),
        Milestone,
        (
            C("id", _("Milestone id"), "pk", "int"),
            C("partnership_id", _("Partnership id"), "partnership_id", "int"),
            C("partnership", _("Partnership"), "partnership__name"),
            C("site_id", _("Site id"), "site_id", "int"),
            C("site", _("Site"), "site__name"),
            C("title", _("Title"), "title"),
            C("title_ja", _("Title (Japanese)"), "title_ja"),
            C("description", _("Description"), "description"),
            C("owner_id", _("Owner id"), "owner_id", "int"),
            C("owner", _("Owner"), "owner__name"),
            C("baseline_date", _("Baseline date"), "baseline_date", "date"),
            C("forecast_date", _("Forecast date"), "forecast_date", "date"),
            C("actual_date", _("Actual date"), "actual_date", "date"),
            C("status", _("Status"), "status"),
            C("depends_on", _("Depends on (ids)"), joined(Dependency, "milestone", "depends_on_id")),
            C("signatures", _("Signatures"), signed_by("milestones.milestone")),
        ),
        filter_scoped,
        frozenset({"start", "end", "partnership", "site", "company"}),
        year_date=Coalesce("actual_date", "forecast_date", "baseline_date"),
    ),
}
