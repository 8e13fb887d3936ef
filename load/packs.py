"""Six evidence packs at once, as background jobs of six auditors, while a manager reads the dashboard.

Run by run.py after the mixed team's run, against the same gunicorn and its job worker. The packs must all finish
(none failed, no response a 5xx) and the dashboard's p95 meanwhile stay under the pages' goal.
"""

from __future__ import annotations

import statistics
import time

import requests

PACKS = 6
PATIENCE_S = 900  # a pack not finished by then is a failure


def six_packs(host: str, password: str, page_goal_ms: int) -> list[str]:
    """Print what happened; return the problems (empty when the packs did no harm)."""
    manager = signed_in(host, "manager-1", password)
    before = dashboard_times(manager, host, 10)
    started = time.monotonic()
    jobs, problems = ask_for_packs(host, password)
    during, states = [], {}
    while jobs and time.monotonic() - started < PATIENCE_S:
        during += dashboard_times(manager, host, 3)
        states = {url: auditor.get(url).json() for auditor, url in jobs}
        if all(state["state"] in ("done", "failed") for state in states.values()):
            break
    done = [state for state in states.values() if state["state"] == "done"]
    print(f"\n{PACKS} evidence packs as jobs: {len(done)} done in {time.monotonic() - started:.0f} s")
    problems += [
        f"job {state['id']}: {state['state']} {state['error'] or ''}"
        for state in states.values()
        if state["state"] != "done"
    ]
    problems += [f"a dashboard read answered {status}" for status in {*before, *during} if isinstance(status, int)]
    before, during = [t for t in before if isinstance(t, float)], [t for t in during if isinstance(t, float)]
    print(f"dashboard before: {summary(before)}; while the packs ran: {summary(during)}")
    if during and p95(during) * 1000 >= page_goal_ms:
        problems.append(f"the dashboard's p95 while the packs ran: {p95(during) * 1000:.0f} ms (goal {page_goal_ms})")
    return problems


def ask_for_packs(host: str, password: str) -> tuple[list[tuple[requests.Session, str]], list[str]]:
    """Each auditor asks for one pack: their sessions with the job's status address, and any refusal."""
    jobs, problems = [], []
    for number in range(1, PACKS + 1):
        auditor = signed_in(host, f"auditor-{number}", password)
        response = auditor.post(
            f"{host}/exports/jobs/",
            {"dataset": "evidence", "format": "zip", "csrfmiddlewaretoken": auditor.cookies["csrftoken"]},
            headers={"Referer": f"{host}/exports/"},
            allow_redirects=False,
        )
        if response.status_code == 303:
            jobs.append((auditor, f"{host}{response.headers['Location'].rstrip('/')}.json"))
        else:
            problems.append(f"asking for an evidence pack answered {response.status_code}")
    return jobs, problems


def signed_in(host: str, username: str, password: str) -> requests.Session:
    session = requests.Session()
    session.get(f"{host}/accounts/login/")
    form = {"username": username, "password": password, "csrfmiddlewaretoken": session.cookies["csrftoken"]}
    response = session.post(f"{host}/accounts/login/", form, headers={"Referer": f"{host}/accounts/login/"})
    if "/accounts/login/" in response.url:
        raise RuntimeError(f"{username} could not log in")
    return session


def dashboard_times(session: requests.Session, host: str, count: int) -> list[float | int]:
    """Seconds per dashboard read, a user's pause between them; a status code in place of a time for an error."""
    times = []
    for _read in range(count):
        started = time.perf_counter()
        response = session.get(f"{host}/")
        times.append(time.perf_counter() - started if response.status_code == 200 else response.status_code)
        time.sleep(0.3)
    return times


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[-1] if len(times) > 1 else times[0]


def summary(times: list[float]) -> str:
    if not times:
        return "no reads"
    return f"p50 {statistics.median(times) * 1000:.0f} ms, p95 {p95(times) * 1000:.0f} ms ({len(times)} reads)"
