"""A mixed team at work: staff in the admin, managers on the dashboard, auditors exporting."""

from __future__ import annotations

import random
import re

from locust import HttpUser, between, task

PASSWORD = "load-test-password-123"  # noqa: S105 (the demo users of a throwaway database)
SITES = re.compile(r'<option value="(\d+)">[^<]*</option>')


class Member(HttpUser):
    abstract = True
    wait_time = between(0.5, 2)
    username = ""

    def on_start(self) -> None:
        self.client.get("/accounts/login/", name="login page")
        token = self.client.cookies.get("csrftoken")
        response = self.client.post(
            "/accounts/login/",
            {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{self.host}/accounts/login/"},
            name="log in",
        )
        if "/accounts/login/" in response.url:
            raise RuntimeError(f"{self.username} could not log in")

    def post_form(self, path: str, data: dict, name: str):
        data = {**data, "csrfmiddlewaretoken": self.client.cookies.get("csrftoken")}
        return self.client.post(path, data, headers={"Referer": f"{self.host}{path}"}, name=name)


class Staff(Member):
    weight = 3
    username = "staff"

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
        response = self.post_form(
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
        )
        if response.status_code != 200 or "was added successfully" not in response.text:
            response.failure("the person was not saved")


class Manager(Member):
    weight = 2
    username = "manager"

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
    username = "auditor"

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
