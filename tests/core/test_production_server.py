"""The hostile requests of the review, sent to gunicorn in production mode: a bound and a message each, never a 500.

The server runs on a free loopback port, on a database of its own (a temporary SQLite file, or a new PostgreSQL
database when DATABASE_URL names PostgreSQL), behind an imagined proxy (DJANGO_BEHIND_PROXY=1): the test sends
what the proxy would add, X-Forwarded-Proto and X-Forwarded-For.
"""

from __future__ import annotations

import gzip
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import brotli
import pytest

from tests.scheduling import heavy
from tests.servers import (
    DEMO_PASSWORD,
    Response,
    Visitor,
    collected_for_production,
    demo_database,
    free_port,
    wait_until_healthy,
)

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = DEMO_PASSWORD
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}
# One worker runs every test here under `make test` (--dist loadgroup), so the module's server starts once.
pytestmark = heavy("production-server")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("production")
    database_url, drop = demo_database(tmp_path_factory, "production")
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "cdmo.settings",
        "DJANGO_PRODUCTION": "1",
        "DJANGO_SECRET_KEY": "production-test-" + "k" * 50,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_BEHIND_PROXY": "1",
        "EXPORT_TEMP_DIR": str(folder / "exports"),
    }
    env.pop("DJANGO_DEBUG", None)
    env["DJANGO_STATIC_ROOT"] = str(collected_for_production(folder, env))
    port = free_port()
    log = folder / "gunicorn.log"
    with open(log, "w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "cdmo.wsgi:application", "--bind", f"127.0.0.1:{port}"]
            # A short graceful stop, and no control socket in the home folder shared with other servers.
            + ["--workers", "2", "--timeout", "30", "--graceful-timeout", "2", "--no-control-socket"],
            env=env,
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_healthy(Browser(port), log)
        yield {"port": port, "log": log, "exports": folder / "exports"}
    finally:
        process.terminate()
        process.wait(timeout=15)
        drop()


class Browser(Visitor):
    """One user's browser, behind the proxy: each request carries what the proxy adds, from the user's address."""

    def __init__(self, port: int, address: str = "203.0.113.5"):
        super().__init__(port, headers={**PROXY_HEADERS, "X-Forwarded-For": address})

    def post(self, path: str, data: bytes | dict) -> Response:
        origin = f"https://127.0.0.1:{self.port}"
        return self.post_form(path, data, {"Origin": origin, "Referer": origin + path})

    def log_in(self, username: str, password: str = PASSWORD) -> Response:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', self.get("/accounts/login/").text).group(1)
        return self.post("/accounts/login/", {"csrfmiddlewaretoken": token, "username": username, "password": password})


def assert_clean(response: Response) -> None:
    assert response.status < 500
    assert "Traceback" not in response.text


def test_a_500_word_admin_search_is_answered_with_a_message(server):
    auditor = Browser(server["port"])
    assert auditor.log_in("auditor").status == 302
    response = auditor.get("/admin/partners/exchange/?" + urlencode({"q": " ".join(["a"] * 500)}))
    assert_clean(response)
    assert response.status == 200
    assert "Left out 500 words shorter than 2 characters." in response.text


def test_an_oversized_body_and_too_many_fields_get_the_400_page(server):
    visitor = Browser(server["port"])
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', visitor.get("/accounts/login/").text).group(1)
    big = visitor.post("/accounts/login/", f"csrfmiddlewaretoken={token}&x=".encode() + b"y" * 2_000_000)
    fields = b"&".join(b"f%d=1" % n for n in range(1500))
    many = visitor.post("/accounts/login/", f"csrfmiddlewaretoken={token}&".encode() + fields)
    for response in (big, many):
        assert_clean(response)
        assert response.status == 400
        assert "Bad request" in response.text


def test_absurd_filters_are_form_errors(server):
    manager = Browser(server["port"])
    manager.log_in("manager")
    for path in ("/?start=0001-01-01", "/?end=9999-12-31", "/exports/audit-trail.csv?start=0001-01-01&end=9999-12-31"):
        response = manager.get(path)
        assert_clean(response)
        assert response.status == 400


def test_six_exports_at_once_by_one_user_end_in_files_or_429_never_a_500(server):
    auditor = Browser(server["port"])
    auditor.log_in("auditor")
    with ThreadPoolExecutor(max_workers=6) as pool:
        responses = list(pool.map(lambda _n: auditor.get("/exports/evidence.zip"), range(6)))
    for response in responses:
        assert_clean(response)
        assert response.status in {200, 429}
        if response.status == 429:
            assert int(response.headers["retry-after"]) >= 1
    # The server removes each export's folder once the response is closed, just after its last byte is sent.
    for _attempt in range(50):
        if not list(server["exports"].iterdir()):
            break
        time.sleep(0.1)
    assert not list(server["exports"].iterdir())


def test_behind_the_proxy_a_lockout_holds_one_address_not_the_user(server):
    attacker = Browser(server["port"], address="198.51.100.66")
    for _attempt in range(4):
        assert attacker.log_in("staff", "not-the-password").status == 200
    assert attacker.log_in("staff", "not-the-password").status == 429  # the fifth locks this address out
    assert attacker.log_in("staff").status == 429
    colleague = Browser(server["port"], address="198.51.100.7")
    assert colleague.log_in("staff").status == 302


def test_pages_are_not_stored_but_static_files_are_cached(server):
    manager = Browser(server["port"])
    manager.log_in("manager")
    page = manager.get("/")
    assert "no-store" in page.headers["cache-control"]
    stylesheet = re.search(r'href="(/static/css/app\.[0-9a-f]+\.css)"', page.text).group(1)
    static = manager.get(stylesheet)
    assert static.status == 200
    assert "no-store" not in static.headers["cache-control"]
    assert "immutable" in static.headers["cache-control"]


def test_static_files_are_sent_in_brotli_or_gzip_as_the_browser_accepts(server):
    visitor = Browser(server["port"])
    page = visitor.get("/accounts/login/")
    stylesheet = re.search(r'href="(/static/js-lib-bootstrap5/css/bootstrap\.min\.[0-9a-f]+\.css)"', page.text).group(1)
    plain = visitor.request("GET", stylesheet, headers={"Accept-Encoding": "identity"})
    gzipped = visitor.request("GET", stylesheet, headers={"Accept-Encoding": "gzip"})
    brotli_sent = visitor.request("GET", stylesheet, headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
    assert "content-encoding" not in plain.headers
    assert gzipped.headers["content-encoding"] == "gzip"
    assert brotli_sent.headers["content-encoding"] == "br"
    # Cached for a year by any cache on the way: each encoding kept apart, for the browsers that asked for it.
    assert "accept-encoding" in brotli_sent.headers["vary"].lower()
    assert brotli.decompress(brotli_sent.body) == gzip.decompress(gzipped.body) == plain.body
    assert len(brotli_sent.body) < len(gzipped.body) < len(plain.body) / 4


def test_the_server_logged_no_error(server):
    # Refused requests are logged as warnings (and oversized ones, by Django's security log, with their traceback).
    assert "Internal Server Error" not in server["log"].read_text()
