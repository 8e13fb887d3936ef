"""Dashboard render time and query count at benchmark size: cold (the cache emptied before each render, so every
panel is computed) and warm (the panels from the cache, as a second reader of the same view gets them)."""

from __future__ import annotations

import statistics
import time

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

RUNS = 5


def measure(url: str, username: str = "manager", *, cold: bool = False) -> dict:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    client.get(url)  # warm caches and the session clock
    timings, queries = [], 0
    for _run in range(RUNS):
        if cold:
            cache.clear()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            timings.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
        queries = len(captured)
    return {"median_s": statistics.median(timings), "queries": queries, "bytes": len(response.content)}


def dashboard(*, cold: bool) -> dict:
    return measure(reverse("milestones:dashboard"), cold=cold)


def exchange_admin_list() -> dict:
    return measure(reverse("admin:partners_exchange_changelist"), username="staff")
