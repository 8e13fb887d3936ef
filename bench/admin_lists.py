"""The admin lists staff work in, each against Django's stock changelist of the same rows, in the same run.

The reference is a plain ``ModelAdmin`` showing the same columns with the same related rows joined
(``list_display`` and ``list_select_related`` as ours), ordered by primary key, without the full count
(``show_full_result_count = False``), and without our filters, search box and ordering; its rows are drawn by
Django's own ``items_for_result``, not by ``core/changelist.py`` as ours are. Both render one page
(100 rows) through the admin's own view for the same administrator, on the same admin site (so the same
sidebar), without middleware, in interleaved rounds: what differs is only what our lists add.

Then the same lists searched: the reference has our search fields and runs Django's search (every word in some
field, ``icontains``), ours its own (on PostgreSQL through trigram indexes, core/search.py), for words found in
every row, in one person's rows and in none, one to three words at a time.
"""

from __future__ import annotations

import statistics
import time

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth import get_user_model
from django.contrib.messages.storage import default_storage
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from partners.models import Exchange, Person
from training.models import TrainingRecord

ROUNDS = 7
LISTS = {"exchanges": Exchange, "people": Person, "training records": TrainingRecord}
# The benchmark's people are "Demo Person 0000000" to "Demo Person 0019999" (synthetic-0000000@demo.example, job title
# "Synthetic demo record"), each with 10 exchanges ("Synthetic demo record.") and 10 training records on BENCH-000 to
# BENCH-049: "Demo" is in every row, "0012345" in one person's, "Nobody" in none; "ya" (Hayashi, Yamada) is too
# short for a trigram index.
SEARCHES = {
    "exchanges": ["Demo", "0012345", "Nobody", "ya", "Demo 0012345", "Person record", "Demo Person 0012345"],
    "people": ["Demo", "0012345", "Demo Person 0012345"],
    "training records": ["Demo", "0012345", "Demo Person 0012345", "BENCH-007 0012345"],
}


class DjangoRowsChangeList(ChangeList):
    """Rows drawn by Django's ``items_for_result``: ``core/changelist.py`` leaves a changelist that builds its links
    its own way to Django's code, and this one says it does (building them as Django does)."""

    def url_for_result(self, result):
        return super().url_for_result(result)


def stock_admin(model, *, searched: bool = False) -> admin.ModelAdmin:
    """Django's ModelAdmin over our list's columns and joined rows; ``searched``: with our search fields too."""
    ours = admin.site._registry[model]
    stock = type(
        f"Stock{model.__name__}Admin",
        (admin.ModelAdmin,),
        {
            "list_display": ours.list_display,
            "list_select_related": ours.list_select_related,
            "ordering": ["pk"],
            "show_full_result_count": False,
            **({"search_fields": ours.search_fields} if searched else {}),
            # Ours have no bulk actions (each deletion needs its own reason): no checkbox column.
            "actions": None,
            "get_changelist": lambda self, request, **kwargs: DjangoRowsChangeList,
            # Display methods of ours (an exchange's direction) read the same attribute of the record.
            **{name: getattr(type(ours), name) for name in ours.list_display if hasattr(type(ours), name)},
        },
    )
    return stock(model, admin.site)


def page(model_admin, user, search: str = ""):
    """One page of the list, rendered, as ``user`` opens it (searched for ``search``)."""
    request = RequestFactory().get(
        f"/admin/{model_admin.opts.app_label}/{model_admin.opts.model_name}/", {"q": search} if search else {}
    )
    request.user, request.session = user, SessionStore()
    request._messages = default_storage(request)
    response = model_admin.changelist_view(request)
    return response.render()


def render(model_admin, user, search: str = "") -> tuple[float, float, float, int, int, int]:
    """CPU seconds, wall seconds, SQL seconds, queries, rows of one rendered page and rows found."""
    with CaptureQueriesContext(connection) as captured:
        cpu, wall = time.process_time(), time.perf_counter()
        response = page(model_admin, user, search)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    assert response.status_code == 200, response.status_code
    cl = response.context_data["cl"]
    sql = sum(float(query["time"]) for query in captured.captured_queries)
    return cpu, wall, sql, len(captured), len(cl.result_list), cl.result_count


def measure() -> list[dict]:
    user = get_user_model().objects.get(username="admin")
    results = []
    for label, model in LISTS.items():
        pair = {"ours": admin.site._registry[model], "stock": stock_admin(model)}
        results.append({"list": label, "records": model.objects.count(), **compare(pair, user)})
    return results


def measure_searches() -> list[dict]:
    user = get_user_model().objects.get(username="admin")
    results = []
    for label, model in LISTS.items():
        pair = {"ours": admin.site._registry[model], "stock": stock_admin(model, searched=True)}
        for search in SEARCHES[label]:
            row = compare(pair, user, search)
            found = row["ours"]["found"]
            results.append({"list": f"{label}: {search!r}, {found:,} found", "records": model.objects.count(), **row})
    return results


def compare(pair: dict, user, search: str = "") -> dict:
    """Each side's medians over ROUNDS interleaved renders, after a warm-up; the rows found must be the same."""
    samples = {side: [] for side in pair}
    for model_admin in pair.values():
        render(model_admin, user, search)  # warm-up
    for _round in range(ROUNDS):
        for side, model_admin in pair.items():
            samples[side].append(render(model_admin, user, search))
    row = {}
    for side, taken in samples.items():
        row[side] = {
            "cpu_s": statistics.median(s[0] for s in taken),
            "wall_s": statistics.median(s[1] for s in taken),
            "sql_s": statistics.median(s[2] for s in taken),
            "queries": taken[-1][3],
            "rows": taken[-1][4],
            "found": taken[-1][5],
        }
    assert row["ours"]["found"] == row["stock"]["found"], row
    return row


def lines(results: list[dict], first: str = "list") -> list[str]:
    """A table: each list's page against the stock one, wall and CPU time, SQL time, queries. The ratio is of the
    server's time, the steadier figure where other work shares the machine (wall time includes waiting for a core):
    the process's CPU, plus the SQL's time on PostgreSQL, whose work is done by another process."""
    postgres = connection.vendor == "postgresql"

    def server(side: dict) -> float:
        return side["cpu_s"] + (side["sql_s"] if postgres else 0)

    out = [
        f"| {first} | records | ours: page, CPU (SQL), queries | stock: page, CPU (SQL), queries "
        "| ours / stock (server time) |",
        "|---|---|---|---|---|",
    ]
    for row in results:
        ours, stock = row["ours"], row["stock"]
        out.append(
            f"| {row['list']} | {row['records']:,} "
            f"| {ours['wall_s'] * 1000:.0f} ms, {ours['cpu_s'] * 1000:.0f} ms ({ours['sql_s'] * 1000:.0f} ms), "
            f"{ours['queries']} "
            f"| {stock['wall_s'] * 1000:.0f} ms, {stock['cpu_s'] * 1000:.0f} ms ({stock['sql_s'] * 1000:.0f} ms), "
            f"{stock['queries']} "
            f"| {server(ours) / server(stock):.2f}× |"
        )
    return out
