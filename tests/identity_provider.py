"""The test OpenID provider (tests/idp/) started in its own process, and a sign-in through it as a browser does."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

from tests.servers import free_port

ROOT = Path(__file__).resolve().parents[1]
CLIENT_ID = "alliance-tracker"
SECRET = "test-client-secret-0123456789"  # noqa: S105
# The groups claim of each company, and the roles the app gives them (the same shape as OIDC_PROVIDERS).
ROLES = {
    "alliance-staff": "Staff",
    "alliance-managers": "Manager",
    "alliance-auditors": "Auditor",
    "alliance-qa": "QA approver",
}


@dataclass
class IdentityProvider:
    url: str
    process: subprocess.Popen

    @property
    def issuer(self) -> str:
        return f"{self.url}/o"

    def post(self, path: str, data: dict) -> dict:
        url = f"{self.url}/control/{path}/"
        request = urllib.request.Request(url, data=json.dumps(data).encode(), method="POST")  # noqa: S310
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (our own local server)
            return json.loads(response.read())

    def user(self, username: str, password: str, groups: list[str], **fields) -> str:
        """Set a user on the provider; returns their subject (``sub``)."""
        return self.post("user", {"username": username, "password": password, "groups": groups, **fields})["sub"]

    def client(self, redirect_uris: list[str], client_id: str = CLIENT_ID) -> None:
        """Register the client, adding these callbacks to those it has."""
        self.post("client", {"client_id": client_id, "secret": SECRET, "redirect_uris": redirect_uris})

    def provider(self, id: str = "agc", name: str = "AGC Biologics", **overrides) -> dict:
        """One entry of OIDC_PROVIDERS for this provider."""
        return {
            "id": id,
            "name": name,
            "server_url": self.issuer,
            "client_id": CLIENT_ID,
            "secret": SECRET,
            "roles": ROLES,
            "scope": ["openid", "profile", "email", "groups"],
            **overrides,
        }


def start_identity_provider(folder: Path) -> IdentityProvider:
    port = free_port()
    log = (folder / "idp.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.idp.serve", str(port), str(folder / "idp.sqlite3")],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    # Migrating and the first request may take a while on a busy machine: up to two minutes.
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        try:
            urllib.request.urlopen(f"{url}/o/.well-known/openid-configuration", timeout=10)  # noqa: S310
            return IdentityProvider(url, process)
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError(f"the test identity provider did not start: {(folder / 'idp.log').read_text()[-2000:]}")


def stop(provider: IdentityProvider) -> None:
    provider.process.terminate()
    provider.process.wait(timeout=10)


def sign_in_at_provider(authorize_url: str, username: str, password: str) -> str:
    """As a person does at the provider: open the authorization URL, sign in, and get sent back.

    Returns the address the provider sends the browser back to (the app's callback, with code and state).
    """
    import requests

    with requests.Session() as session:
        response = session.get(authorize_url, allow_redirects=False, timeout=10)
        if response.status_code == 302 and "/login/" in response.headers["Location"]:
            login = urljoin(authorize_url, response.headers["Location"])
            session.get(login, timeout=10)
            response = session.post(
                login,
                # The login address carries where to go next, the authorization request.
                data={
                    "username": username,
                    "password": password,
                    "csrfmiddlewaretoken": session.cookies["idp_csrftoken"],
                },
                headers={"Referer": login},
                allow_redirects=False,
                timeout=10,
            )
            assert response.status_code == 302, f"the provider refused the sign-in: {response.status_code}"
            response = session.get(urljoin(login, response.headers["Location"]), allow_redirects=False, timeout=10)
        assert response.status_code == 302, response.text[:500]
        return response.headers["Location"]
