"""Browser journeys against a real app process on its own fresh database.

pytest-django's live server flushes tables between tests, which the append-only history refuses, so the
journeys run against `manage.py runserver` started here on a database made for them (a temporary SQLite
file, or a new PostgreSQL database when DATABASE_URL names PostgreSQL), seeded with the demo data.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.servers import DEMO_PASSWORD, Visitor, collected_static, demo_database, free_port, wait_until_healthy

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PASSWORD = DEMO_PASSWORD
# Journeys always take screenshots (and fail when something on the page is cut off); UPDATE_SCREENSHOTS=1 writes
# them over the set in docs/screenshots (docs/screenshots.md).
SCREENSHOTS = ROOT / "docs" / "screenshots" if os.environ.get("UPDATE_SCREENSHOTS") else None

if CHROMIUM is None and os.environ.get("CI"):
    raise RuntimeError("CI must run the browser journeys: install Debian's chromium package")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)")


@pytest.fixture(scope="session")
def app_server(tmp_path_factory, identity_provider):
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    # The test OpenID provider on the login page, as a company's would be (the page checks see its button).
    identity_provider.client([f"{base}/accounts/oidc/agc/login/callback/"])
    # As `make run` serves it: the demo's data, with the banner that says so. DEBUG off, with the static files
    # collected, so the browser keeps them between pages as it would in production (under DEBUG WhiteNoise sends them
    # with max-age=0 and looks each one up again: pages load a third slower).
    database_url, drop = demo_database(tmp_path_factory, "journeys")
    env = {
        "OIDC_PROVIDERS": json.dumps([identity_provider.provider()]),
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "0",
        "DJANGO_DEMO_BANNER": "1",
        "DJANGO_SETTINGS_MODULE": "cdmo.settings",
        "EXPORT_JOBS_DIR": str(tmp_path_factory.mktemp("export-jobs")),
        "TASKS_BACKEND": "database",
    }
    env["DJANGO_STATIC_ROOT"] = str(collected_static(tmp_path_factory, env))
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_until_healthy(Visitor(port))
    yield {"url": base, "database_url": database_url, "env": env}
    server.terminate()
    server.wait(timeout=10)
    drop()


@pytest.fixture
def job_worker(app_server):
    """The background-job worker, as `make run` starts it beside the server, for a test that waits for a job.

    Only for those tests: polling every 0.2 s beside each worker's app server for the whole run took more CPU (about
    9 core-seconds a run) than starting it for the one journey that prepares an export in the background.
    """
    worker = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "db_worker", "--interval", "0.2", "--no-startup-delay", "-v0"],
        env=app_server["env"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    yield
    worker.terminate()
    worker.wait(timeout=10)


@contextmanager
def launched_browser():
    """Debian's Chromium, headless, until the block ends.

    Playwright marks its event loop as running between its calls, for as long as it runs: Django then refuses any
    database work in the process (SynchronousOnlyOperation), a test database's setup included.

    V8 runs the pages' scripts with its baseline compiler alone (``--max-opt=1``): its optimising compilers spent more
    on axe's and the admin's scripts, in each page anew, than a page's short life paid back (a tenth of the machine's
    CPU during the page checks, same findings).
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--js-flags=--max-opt=1",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def browser():
    """For the journeys: they run after a worker's database tests (pytest-django orders those first)."""
    with launched_browser() as browser:
        yield browser


def new_page(browser, locale: str):
    """A page in a browser that asks for ``locale``, as a user's browser would."""
    context = browser.new_context(viewport={"width": 1366, "height": 900}, accept_downloads=True, locale=locale)
    return context, context.new_page()


@pytest.fixture
def page(browser, tmp_path):
    context, page = new_page(browser, "en-GB")
    yield page
    context.close()


@pytest.fixture
def japanese_page(browser, tmp_path):
    context, page = new_page(browser, "ja-JP")
    yield page
    context.close()


def log_in(page, base: str, username: str, labels=("Username", "Password", "Log in")) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label(labels[0]).fill(username)
    page.get_by_label(labels[1]).fill(PASSWORD)
    page.get_by_role("button", name=labels[2]).click()
    page.wait_for_load_state()


# What a reader would miss: the page, or any box in it, scrolling sideways (a table cut off at "Comp…").
CLIPPED = """() => [document.documentElement, ...document.querySelectorAll('body *')]
    .filter(el => el.scrollWidth > el.clientWidth + 1
        && (el === document.documentElement || getComputedStyle(el).overflowX !== 'visible'))
    // Not the boxes meant to be out of sight: a skip link, text for screen readers.
    .filter(el => el.clientWidth > 1 && el.getClientRects().length)
    .map(el => `${el.tagName.toLowerCase()}#${el.id}.${el.className}: ${el.scrollWidth} > ${el.clientWidth} px`)"""


@pytest.fixture
def screenshot(tmp_path):
    """Take a screenshot of the page as a 1366 × 900 screen shows it, once nothing on it is cut off."""
    folder = SCREENSHOTS or tmp_path

    def take(page, name: str) -> Path:
        clipped = page.evaluate(CLIPPED)
        assert not clipped, f"{name}: cut off at 1366 px: {clipped}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=False)
        return path

    return take
