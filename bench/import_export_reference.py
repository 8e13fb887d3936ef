"""The usual Django choice as a reference point: django-import-export exporting the same exchanges as CSV.

It builds the whole dataset in memory and reads related names row by row, so it runs on a sample and the
rate is reported; installed only for benchmarks (requirements-bench.txt).
"""

from __future__ import annotations

import time
import tracemalloc

from django.db import connection

SAMPLE = 5_000


def measure() -> str:
    try:
        from import_export import fields, resources
    except ImportError:
        return "django-import-export not installed (pip install -r requirements-bench.txt)"
    from partners.models import Exchange

    class ExchangeResource(resources.ModelResource):
        person = fields.Field(attribute="person__name", column_name="Person")
        partnership = fields.Field(attribute="partnership__name", column_name="Partnership")
        host_company = fields.Field(attribute="host_company__name", column_name="Host company")
        host_site = fields.Field(attribute="host_site__name", column_name="Host site")
        host_supervisor = fields.Field(attribute="host_supervisor__name", column_name="Host supervisor")

        class Meta:
            model = Exchange

    ids = list(Exchange.objects.order_by("pk").values_list("pk", flat=True)[:SAMPLE])
    queryset = Exchange.objects.filter(pk__in=ids).order_by("pk")
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(1)
        return execute(sql, params, many, context)

    tracemalloc.start()
    started = time.perf_counter()
    with connection.execute_wrapper(count):
        data = ExchangeResource().export(queryset=queryset).csv
    seconds = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return (
        f"django-import-export, {len(ids):,} exchanges with 5 related columns: {seconds:.1f} s "
        f"({len(ids) / seconds:,.0f} rows/s), {len(queries):,} queries, peak Python memory {peak / 2**20:.0f} MiB, "
        f"{len(data):,} characters"
    )
