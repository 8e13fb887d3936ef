from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from accounts.tokens import token_issue
from tests.factories import ExchangeFactory, UserFactory

ROLES = ["staff", "manager", "auditor"]


def token_for(user) -> str:
    _token, secret = token_issue(user=user, name="tests", reason="Issued for the API tests")
    return secret


def api_client(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
    return client


@pytest.fixture
def users(db) -> dict:
    return {role: UserFactory(username=role, role=role.capitalize()) for role in ROLES} | {
        "admin": UserFactory(username="admin", is_superuser=True)
    }


@pytest.fixture
def clients(users) -> dict[str, APIClient]:
    """A client per persona, each with its own token (anonymous: none)."""
    return {"anonymous": api_client(), **{name: api_client(user) for name, user in users.items()}}


@pytest.fixture
def exchange(alliance):
    return ExchangeFactory(person=alliance.agc_person, partnership=alliance.partnership, host_company=alliance.medinet)
