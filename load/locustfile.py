"""A mixed team at work: staff in the admin, managers on the dashboard, auditors exporting.

FastHttpUser (geventhttpclient) rather than HttpUser (requests): the load generator shares the server's two cores,
and the lighter client leaves more of them to the app it measures (run.py reports the generator's share).
"""

from __future__ import annotations

import itertools
import random
import re
from collections import defaultdict

from locust import FastHttpUser, between, task

PASSWORD = "load-test-password-123"  # noqa: S105 (the demo users of a throwaway database)
SITES = re.compile(r'<option value="(\d+)">[^<]*</option>')
# Each simulated user signs in with an account of its own (run.py makes them: load/team.py).
NUMBERS = defaultdict(lambda: itertools.count(1))


class Member(FastHttpUser):
    abstract = True
    wait_time = between(0.5, 2)
    role = ""

    def on_start(self) -> None:
        self.username = f"{self.role}-{next(NUMBERS[self.role])}"
        self.client.get("/accounts/login/", name="login page")
        # Not followed: a sign-in that works answers 302 to the next page, one that fails 200 with the form again.
        with self.client.post(
            "/accounts/login/",
            {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": self.csrf_token()},
            headers={"Referer": f"{self.host}/accounts/login/"},
            name="log in",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302 or "/accounts/login/" in response.headers.get("Location", ""):
                response.failure(f"{self.username} could not log in")
                raise RuntimeError(f"{self.username} could not log in")

    def csrf_token(self) -> str:
        return next(cookie.value for cookie in self.client.cookiejar if cookie.name == "csrftoken")

    def post_form(self, path: str, data: dict, name: str):
        data = {**data, "csrfmiddlewaretoken": self.csrf_token()}
        return self.client.post(path, data, headers={"Referer": f"{self.host}{path}"}, name=name, catch_response=True)


class Staff(Member):
    weight = 3
    role = "staff"

    @task(4)
    def exchange_list(self) -> None:
        self.client.get("/admin/partners/exchange/", name="admin: exchange list")

    @task(2)
    def exchange_list_filtered(self) -> None:
        self.client.get("/admin/partners/exchange/?status__exact=active&q=Demo", name="admin: exchange search")

    @task(1)
    def add_person(self) -> None:
        self.client.get("/admin/partners/person/add/", name="admin: person form")
        number = random.randrange(10**9)  # noqa: S311
        with self.post_form(
            "/admin/partners/person/add/",
            {
                "name": f"Load Person {number}",
                "employer": "3",
                "function": "manufacturing",
                "active": "on",
                "email": f"load-{number}@demo.example",
                "change_reason": "Load test",
            },
            name="admin: save person",
        ) as response:
            if response.status_code != 200 or "was added successfully" not in (response.text or ""):
                response.failure("the person was not saved")


class Manager(Member):
    weight = 2
    role = "manager"

    @task(3)
    def dashboard(self) -> None:
        response = self.client.get("/", name="dashboard")
        self.sites = SITES.findall(response.text) or ["1"]

    @task(2)
    def dashboard_by_site(self) -> None:
        site = random.choice(getattr(self, "sites", ["1"]))  # noqa: S311
        self.client.get(f"/?site={site}&start=2025-01-01&end=2027-12-31", name="dashboard filtered")

    @task(1)
    def milestone(self) -> None:
        self.client.get(f"/milestones/{random.randint(1, 10)}/", name="milestone detail")  # noqa: S311


class Auditor(Member):
    weight = 1
    role = "auditor"

    @task(2)
    def count_rows(self) -> None:
        self.client.get("/exports/?dataset=exchanges&start=2026-01-01&end=2026-03-31", name="exports: count")

    @task(2)
    def milestones_csv(self) -> None:
        self.client.get("/exports/milestones.csv", name="export milestones.csv")

    @task(1)
    def exchanges_json_window(self) -> None:
        self.client.get("/exports/exchanges.json?start=2026-01-01&end=2026-01-31", name="export exchanges.json (month)")

    @task(1)
    def trail(self) -> None:
        self.client.get(f"/audit/partners/exchange/{random.randint(1, 10)}/", name="audit trail")  # noqa: S311
