"""The API's read side, derived from the exports' own list (exports/sources.py): every dataset the exports offer is an
endpoint with the same columns, the same filters (exports/filters.py) and the same rows."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from audit import registry
from exports.datasets import Column, Dataset
from exports.filters import FilterForm, Filters
from exports.sources import COMPUTED, NAMES, TABLES, source

FIELDS = {
    "text": lambda: serializers.CharField(allow_null=True),
    "code": lambda: serializers.CharField(allow_null=True),
    "int": lambda: serializers.IntegerField(allow_null=True),
    "date": lambda: serializers.DateField(allow_null=True),
    "datetime": lambda: serializers.DateTimeField(allow_null=True),
    "bool": lambda: serializers.BooleanField(allow_null=True),
}
PARAMETERS = {
    "start": (OpenApiTypes.DATE, _("Records from this date (the same rule as the exports' “From”).")),
    "end": (OpenApiTypes.DATE, _("Records up to this date.")),
    "partnership": (OpenApiTypes.INT, _("Records of this partnership's parties (id).")),
    "site": (OpenApiTypes.INT, _("Records at this site (id).")),
    "company": (OpenApiTypes.INT, _("Records of this company (id).")),
    "as_of": (OpenApiTypes.DATE, _("Qualification status on this day (default: today).")),
    "record_type": (OpenApiTypes.STR, _("Only this kind of record.")),
}


# The dates a filter accepts (core.fields.PlausibleDateField: 1900 to 2200), as a pattern the schema can state.
PLAUSIBLE_DATE = r"^(19[0-9]{2}|2[01][0-9]{2}|2200)-[0-9]{2}-[0-9]{2}$"


class Row(serializers.Serializer):
    """One row of a dataset: a dict keyed by the export's column keys (table rows arrive as ``x<i>`` annotations)."""

    columns: tuple[Column, ...] = ()

    def to_representation(self, instance):
        if isinstance(instance, tuple):
            instance = dict(zip((c.key for c in self.columns), instance, strict=True))
        elif "x0" in instance:
            instance = {c.key: instance[f"x{i}"] for i, c in enumerate(self.columns)}
        return super().to_representation(instance)


@dataclass(frozen=True)
class ApiDataset:
    name: str
    columns: tuple[Column, ...]
    filter_keys: frozenset[str]
    read_permission: str
    table: Dataset | None = None  # a table of records (keyset pages, one record by id); else computed rows

    @property
    def serializer(self) -> type[Row]:
        fields = {c.key: FIELDS[c.kind]() for c in self.columns}
        name = "".join(part.title() for part in self.name.split("-")) + "Row"
        return type(name, (Row,), {**fields, "columns": self.columns, "__doc__": f"One row of {self.name}."})

    def parameters(self) -> list[OpenApiParameter]:
        params = []
        for key in sorted(self.filter_keys):
            kind, description = PARAMETERS[key]
            enum = list(registry.record_types()) if key == "record_type" else None
            pattern = PLAUSIBLE_DATE if kind == OpenApiTypes.DATE else None
            params.append(OpenApiParameter(key, kind, description=str(description), enum=enum, pattern=pattern))
        return params

    def filters(self, query) -> Filters:
        """The filters in the query string, read by the exports' own form; a bad one is a field-level 400."""
        form = FilterForm({key: query[key] for key in self.filter_keys if key in query})
        if not form.is_valid():
            raise serializers.ValidationError(_errors(form))
        return form.filters()

    def rows(self, filters: Filters):
        """Table datasets: a queryset of dicts (``pk`` and ``x<i>``); computed ones: an iterator of tuples."""
        if self.table is not None:
            rows, aliases = self.table.annotated(filters)
            return rows.values("pk", *aliases)
        return source(self.name, filters).rows()


def _errors(form: FilterForm) -> dict[str, list[str]]:
    return {key: [str(message) for message in messages] for key, messages in form.errors.items()}


def model_permission(dataset: Dataset) -> str:
    return f"{dataset.model._meta.app_label}.view_{dataset.model._meta.model_name}"


def api_datasets() -> dict[str, ApiDataset]:
    """One entry per name the exports offer (exports.sources.NAMES): a dataset added there is served here."""
    found = {}
    for name in NAMES:
        if name in COMPUTED:
            computed = COMPUTED[name]
            found[name] = ApiDataset(name, computed.columns, computed.filter_keys, computed.read_permission)
        else:
            table = TABLES[name]
            found[name] = ApiDataset(name, table.columns, table.applies_to, model_permission(table), table)
    return found
