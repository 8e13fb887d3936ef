"""The admin lists staff work in, each against Django's stock changelist of the same rows, in the same run.

The reference is a plain ``ModelAdmin`` showing the same columns with the same related rows joined
(``list_display`` and ``list_select_related`` as ours), ordered by primary key, without the full count
(``show_full_result_count = False``), and without our filters, search box and ordering; its rows are drawn by
Django's own ``items_for_result``, not by ``core/changelist.py`` as ours are. Both render one page
(100 rows) through the admin's own view for the same administrator, on the same admin site (so the same
sidebar), without middleware, in interleaved rounds: what differs is only what our lists add.
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


class DjangoRowsChangeList(ChangeList):
    """Rows drawn by Django's ``items_for_result``: ``core/changelist.py`` leaves a changelist that builds its links
    its own way to Django's code, and this one says it does (building them as Django does)."""

    def url_for_result(self, result):
        return super().url_for_result(result)


def stock_admin(model) -> admin.ModelAdmin:
    ours = admin.site._registry[model]
    stock = type(
        f"Stock{model.__name__}Admin",
        (admin.ModelAdmin,),
        {
            "list_display": ours.list_display,
            "list_select_related": ours.list_select_related,
            "ordering": ["pk"],
            "show_full_result_count": False,
            # Ours have no bulk actions (each deletion needs its own reason): no checkbox column.
            "actions": None,
            "get_changelist": lambda self, request, **kwargs: DjangoRowsChangeList,
            # Display methods of ours (an exchange's direction) read the same attribute of the record.
            **{name: getattr(type(ours), name) for name in ours.list_display if hasattr(type(ours), name)},
        },
    )
    return stock(model, admin.site)


def page(model_admin, user):
    """One page of the list, rendered, as ``user`` opens it."""
    request = RequestFactory().get(f"/admin/{model_admin.opts.app_label}/{model_admin.opts.model_name}/")
    request.user, request.session = user, SessionStore()
    request._messages = default_storage(request)
    response = model_admin.changelist_view(request)
    return response.render()


def render(model_admin, user) -> tuple[float, float, float, int, int]:
    """CPU seconds, wall seconds, SQL seconds, queries and rows of one rendered page."""
    with CaptureQueriesContext(connection) as captured:
        cpu, wall = time.process_time(), time.perf_counter()
        response = page(model_admin, user)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    assert response.status_code == 200, response.status_code
    rows = len(response.context_data["cl"].result_list)
    return cpu, wall, sum(float(query["time"]) for query in captured.captured_queries), len(captured), rows


def measure() -> list[dict]:
    user = get_user_model().objects.get(username="admin")
    results = []
    for label, model in LISTS.items():
        pair = {"ours": admin.site._registry[model], "stock": stock_admin(model)}
        samples = {side: [] for side in pair}
        for model_admin in pair.values():
            render(model_admin, user)  # warm-up
        for _round in range(ROUNDS):
            for side, model_admin in pair.items():
                samples[side].append(render(model_admin, user))
        row = {"list": label, "records": model.objects.count()}
        for side, taken in samples.items():
            row[side] = {
                "cpu_s": statistics.median(s[0] for s in taken),
                "wall_s": statistics.median(s[1] for s in taken),
                "sql_s": statistics.median(s[2] for s in taken),
                "queries": taken[-1][3],
                "rows": taken[-1][4],
            }
        results.append(row)
    return results


def lines(results: list[dict]) -> list[str]:
    """A table: each list's page against the stock one, wall and CPU time, SQL time, queries. The ratio is of the
    server's time, the steadier figure where other work shares the machine (wall time includes waiting for a core):
    the process's CPU, plus the SQL's time on PostgreSQL, whose work is done by another process."""
    postgres = connection.vendor == "postgresql"

    def server(side: dict) -> float:
        return side["cpu_s"] + (side["sql_s"] if postgres else 0)

    out = [
        "| list | records | ours: page, CPU (SQL), queries | stock: page, CPU (SQL), queries "
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
