from __future__ import annotations

import datetime
import hashlib
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.tokens import token_issue, token_revoke
from tests.api.conftest import api_client
from tests.factories import UserFactory

COMPANIES = "/api/companies/"


def with_header(header: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    return client


@pytest.fixture
def auditor(db):
    return UserFactory(username="auditor", role="Auditor")


def test_only_the_sha256_of_a_token_is_stored(auditor):
    token, secret = token_issue(user=auditor, name="QMS", reason="Issued for the QMS import")
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert stored["digest"] == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in [str(value) for value in stored.values()]
    assert not hasattr(token.history.model, "digest")


@pytest.mark.parametrize("keyword", ["Token", "Bearer"])
def test_a_live_token_reads_with_either_keyword(auditor, keyword):
    _token, secret = token_issue(user=auditor, name="QMS", reason="Issued for the QMS import")
    assert with_header(f"{keyword} {secret}").get(COMPANIES).status_code == 200


def test_no_token_an_unknown_one_a_revoked_one_and_an_expired_one_get_401(auditor, settings):
    revoked, revoked_secret = token_issue(user=auditor, name="old", reason="Issued for the QMS import")
    token_revoke(token=revoked, reason="The QMS moved to a new token")
    settings.API_TOKEN_DAYS = 0  # expires as it is issued
    _expired, expired_secret = token_issue(user=auditor, name="older", reason="Issued for the QMS import")
    for client in (APIClient(), with_header("Token not-a-token"), with_header(f"Token {revoked_secret}")):
        response = client.get(COMPANIES)
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Token"
    assert with_header(f"Token {expired_secret}").get(COMPANIES).status_code == 401


def test_a_deactivated_users_token_stops_working(auditor):
    _token, secret = token_issue(user=auditor, name="QMS", reason="Issued for the QMS import")
    auditor.is_active = False
    auditor._change_reason = "Left the company"
    auditor.save()
    assert with_header(f"Token {secret}").get(COMPANIES).status_code == 401


def test_tokens_expire_after_the_configured_days(auditor, settings):
    settings.API_TOKEN_DAYS = 7
    token, _secret = token_issue(user=auditor, name="QMS", reason="Issued for the QMS import")
    assert token.expires_at - token.created_at == datetime.timedelta(days=7)


def test_issuing_and_revoking_are_on_the_audit_trail_with_their_reasons(auditor):
    token, _secret = token_issue(user=auditor, name="QMS", reason="Issued for the QMS import")
    token_revoke(token=token, reason="The QMS was retired")
    rows = list(token.history.order_by("chain_seq").values_list("history_type", "history_change_reason"))
    assert rows == [("+", "Issued for the QMS import"), ("~", "The QMS was retired")]


def test_the_api_token_command_prints_a_token_and_revokes_the_one_it_printed_before(auditor):
    first, second = StringIO(), StringIO()
    call_command("api_token", "auditor", stdout=first, stderr=StringIO())
    call_command("api_token", "auditor", stdout=second, stderr=StringIO())
    old, new = first.getvalue().strip(), second.getvalue().strip()
    assert with_header(f"Token {old}").get(COMPANIES).status_code == 401
    assert with_header(f"Token {new}").get(COMPANIES).status_code == 200


def test_the_api_token_command_refuses_an_unknown_user(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No active user"):
        call_command("api_token", "nobody", stdout=StringIO(), stderr=StringIO())


def test_the_preferences_page_shows_a_new_token_once_then_only_its_start(client, auditor):
    client.force_login(auditor)
    response = client.post(reverse("accounts:api_token_create"), {"name": "QMS nightly import"})
    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret in response.content.decode()
    assert with_header(f"Token {secret}").get(COMPANIES).status_code == 200
    page = client.get(reverse("accounts:preferences")).content.decode()
    assert "QMS nightly import" in page and secret[:8] in page and secret not in page


def test_a_token_revoked_on_the_preferences_page_stops_working(client, auditor):
    token, secret = token_issue(user=auditor, name="QMS", reason="Issued for the QMS import")
    client.force_login(auditor)
    response = client.post(reverse("accounts:api_token_revoke", args=[token.pk]))
    assert response.status_code == 302
    assert with_header(f"Token {secret}").get(COMPANIES).status_code == 401
    assert token.history.latest("chain_seq").history_user == auditor


def test_nobody_revokes_someone_elses_token_on_their_preferences_page(client, auditor):
    token, secret = token_issue(user=auditor, name="QMS", reason="Issued for the QMS import")
    client.force_login(UserFactory(username="other", role="Auditor"))
    assert client.post(reverse("accounts:api_token_revoke", args=[token.pk])).status_code == 404
    assert with_header(f"Token {secret}").get(COMPANIES).status_code == 200


def test_an_administrator_revokes_a_token_in_the_admin_with_a_reason(client, auditor):
    token, secret = token_issue(user=auditor, name="QMS", reason="Issued for the QMS import")
    admin = UserFactory(username="admin", is_superuser=True)
    client.force_login(admin)
    url = reverse("admin:accounts_apitoken_change", args=[token.pk])
    version = client.get(url).context["adminform"].form.initial["record_version"]
    response = client.post(url, {"revoke": "on", "change_reason": "Laptop lost", "record_version": version})
    assert response.status_code == 302
    assert with_header(f"Token {secret}").get(COMPANIES).status_code == 401
    last = token.history.latest("chain_seq")
    assert (last.history_user, last.history_change_reason) == (admin, "Laptop lost")


def test_too_many_requests_get_a_polite_429_with_retry_after(auditor, settings):
    settings.API_RATE = "2/minute"
    client = api_client(auditor)
    other = api_client(auditor)  # another token of the same user has its own allowance
    assert [client.get(COMPANIES).status_code for _ in range(2)] == [200, 200]
    refused = client.get(COMPANIES)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert "please wait" in refused.json()["detail"]
    assert other.get(COMPANIES).status_code == 200
