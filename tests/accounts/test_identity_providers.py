"""Sign-in through a company's identity provider: a real OpenID provider (tests/idp/) in its own process."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts.identity.config import identity_providers
from audit.trail import trail_for
from audit.verify import verify_all
from tests.identity_provider import sign_in_at_provider

User = get_user_model()
PASSWORD = "company-password-123"
CALLBACK = "http://testserver/accounts/oidc/{}/login/callback/"


@pytest.fixture
def idp(identity_provider, settings, db):
    """AGC's and MEDINET's providers configured, as OIDC_PROVIDERS would configure them."""
    identity_provider.client([CALLBACK.format("agc"), CALLBACK.format("medinet")])
    entries = [identity_provider.provider(), identity_provider.provider(id="medinet", name="MEDINET")]
    settings.SOCIALACCOUNT_PROVIDERS = {
        **settings.SOCIALACCOUNT_PROVIDERS,
        "openid_connect": {
            **settings.SOCIALACCOUNT_PROVIDERS["openid_connect"],
            "APPS": identity_providers(json.dumps(entries), production=False),
        },
    }
    return identity_provider


def start(client, provider: str = "agc", query: str = "", **data):
    response = client.post(reverse("openid_connect_login", args=[provider]) + query, data)
    assert response.status_code == 302, response.content[:300]
    return response["Location"]


def sign_in(client, username: str, provider: str = "agc", **data):
    back = sign_in_at_provider(start(client, provider, **data), username, PASSWORD)
    assert back.startswith("http://testserver/accounts/oidc/")
    return client.get(back.removeprefix("http://testserver"))


def roles_of(username: str) -> set[str]:
    return set(User.objects.get(username=username).groups.values_list("name", flat=True))


def signed_in(client) -> bool:
    return client.get(reverse("milestones:dashboard")).status_code == 200


def test_the_login_page_shows_no_provider_button_when_none_is_configured(client, db):
    page = client.get(reverse("login"))
    assert page.status_code == 200
    assert "Sign in with" not in page.text and "/accounts/oidc/" not in page.text


def test_the_login_page_shows_a_button_per_provider_beside_the_password_form(client, idp):
    page = client.get(reverse("login") + "?next=/training/")
    assert page.text.count("Sign in with AGC Biologics") == 1 and page.text.count("Sign in with MEDINET") == 1
    assert 'action="/accounts/oidc/agc/login/"' in page.text and 'action="/accounts/oidc/medinet/login/"' in page.text
    assert 'name="password"' in page.text


def test_a_sign_in_asks_for_a_nonce_and_a_pkce_challenge(client, idp):
    query = parse_qs(urlsplit(start(client)).query)
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
    assert len(query["nonce"][0]) >= 32 and len(query["state"][0]) >= 16
    assert set(query["scope"][0].split()) == {"openid", "profile", "email", "groups"}


def test_a_sign_in_takes_no_process_scope_or_parameters_from_the_request(client, idp):
    # allauth reads the scope and parameters from the query string and the process from the form: both are tried.
    asked = "process=connect&scope=offline_access&auth_params=prompt%3Dnone"
    url = start(client, query=f"?{asked}", process="connect", scope="offline_access", auth_params="prompt=none")
    query = parse_qs(urlsplit(url).query)
    assert set(query["scope"][0].split()) == {"openid", "profile", "email", "groups"} and "prompt" not in query
    (stashed,) = client.session["socialaccount_states"].values()
    assert stashed[0]["process"] == "login"


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/oidc/openid_connect/login/",
        "/accounts/oidc/openid_connect/login/callback/",
    ],
)
def test_the_generic_provider_name_is_no_provider_even_with_two_configured(client, idp, path):
    assert client.get(path).status_code == 404
    assert client.post(path).status_code == 404


def test_a_provider_that_cannot_be_reached_gets_a_page_that_says_so(client, idp, settings):
    apps = settings.SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"]
    apps[0]["settings"]["server_url"] = "http://127.0.0.1:9/o"  # nothing listens there
    response = client.post(reverse("openid_connect_login", args=["agc"]))
    assert response.status_code == 503 and "AGC Biologics cannot be reached just now" in response.text


def test_the_first_sign_in_creates_the_user_with_the_mapped_role_on_the_trail(client, idp):
    idp.user(
        "y.takahashi",
        PASSWORD,
        ["alliance-managers", "cafeteria", "union-members"],
        first_name="Yui",
        email="yui@agc.example",
    )
    response = sign_in(client, "y.takahashi")
    assert response.status_code == 302 and response["Location"] == reverse("milestones:dashboard")
    assert signed_in(client)
    assert client.get(reverse("exports:index")).status_code == 200  # a manager's page

    user = User.objects.get(username="y.takahashi")
    assert (user.first_name, user.email, user.is_staff, user.is_superuser) == ("Yui", "yui@agc.example", True, False)
    assert roles_of("y.takahashi") == {"Manager"}
    assert not user.has_usable_password()
    created, granted = trail_for(User, user.pk)
    assert created.reason == "Created at the first sign-in through the identity provider AGC Biologics (agc)"
    # The groups that are not the app's roles are counted, never named, in the append-only trail.
    assert granted.reason == (
        "From the identity provider AGC Biologics (agc): groups = alliance-managers, 2 other group(s), not recorded"
    )
    assert [(c.field, c.old, c.new) for c in granted.changes] == [("groups", "—", "Manager")]
    assert all(report.ok for report in verify_all())


def test_a_later_sign_in_with_another_group_changes_the_roles_on_the_trail(client, idp, django_user_model):
    idp.user("h.sato", PASSWORD, ["alliance-managers"])
    sign_in(client, "h.sato")
    rows = User.objects.get(username="h.sato").history.count()
    client.logout()
    sign_in(client, "h.sato")  # the same claim: nothing to record
    assert User.objects.get(username="h.sato").history.count() == rows

    idp.user("h.sato", PASSWORD, ["alliance-staff", "alliance-qa"])
    client.logout()
    response = sign_in(client, "h.sato")
    assert response.status_code == 302 and signed_in(client)
    assert roles_of("h.sato") == {"Staff", "QA approver"}
    last = trail_for(User, User.objects.get(username="h.sato").pk)[-1]
    assert last.reason == "From the identity provider AGC Biologics (agc): groups = alliance-qa, alliance-staff"
    assert [(c.field, c.old, c.new) for c in last.changes] == [("groups", "Manager", "QA approver, Staff")]
    assert all(report.ok for report in verify_all())


def test_an_unmapped_group_gives_no_access_and_no_account(client, idp):
    idp.user("k.ito", PASSWORD, ["cafeteria"])
    response = sign_in(client, "k.ito")
    assert response.status_code == 403
    assert "is in no group that has a role in Alliance Tracker" in response.text
    assert not User.objects.filter(username="k.ito").exists()
    assert not signed_in(client)


def test_a_user_whose_groups_no_longer_map_loses_the_roles_on_the_trail_and_is_refused(client, idp):
    idp.user("m.hayashi", PASSWORD, ["alliance-auditors"])
    sign_in(client, "m.hayashi")
    client.logout()
    idp.user("m.hayashi", PASSWORD, [])
    response = sign_in(client, "m.hayashi")
    assert response.status_code == 403 and "no group that has a role" in response.text
    assert not signed_in(client)
    assert roles_of("m.hayashi") == set()
    last = trail_for(User, User.objects.get(username="m.hayashi").pk)[-1]
    assert last.reason == "From the identity provider AGC Biologics (agc): groups = (none)"
    assert [(c.field, c.old, c.new) for c in last.changes] == [("groups", "Auditor", "—")]
    assert User.objects.get(username="m.hayashi").is_active  # kept, never deleted


def test_a_deactivated_user_cannot_sign_in_through_the_provider(client, idp):
    idp.user("t.yamada", PASSWORD, ["alliance-staff"])
    sign_in(client, "t.yamada")
    client.logout()
    user = User.objects.get(username="t.yamada")
    user.is_active = False
    user._change_reason = "Left the partnership team"
    user.save()
    rows = user.history.count()
    idp.user("t.yamada", PASSWORD, ["alliance-managers"])
    response = sign_in(client, "t.yamada")
    assert response.status_code == 403 and "This account is deactivated" in response.text
    assert not signed_in(client)
    assert roles_of("t.yamada") == {"Staff"} and user.history.count() == rows


def test_a_tampered_state_is_refused(client, idp):
    idp.user("s.kato", PASSWORD, ["alliance-staff"])
    back = sign_in_at_provider(start(client), "s.kato", PASSWORD)
    parts = urlsplit(back)
    query = parse_qs(parts.query)
    tampered = f"{parts.path}?code={query['code'][0]}&state={query['state'][0][::-1]}"
    response = client.get(tampered)
    assert response.status_code == 400 and "could not be completed" in response.text
    assert not signed_in(client) and not User.objects.filter(username="s.kato").exists()


def test_an_id_token_without_this_sign_ins_nonce_is_refused(client, idp):
    idp.user("r.mori", PASSWORD, ["alliance-staff"])
    back = sign_in_at_provider(start(client), "r.mori", PASSWORD)
    session = client.session
    for stashed in session["socialaccount_states"].values():
        stashed[0]["nonce"] = "another-sign-in-s-nonce-0123456789abcdef"
    session.save()
    response = client.get(back.removeprefix("http://testserver"))
    assert response.status_code == 400 and "could not be completed" in response.text
    assert not signed_in(client) and not User.objects.filter(username="r.mori").exists()


def test_a_cancelled_sign_in_says_so(client, idp):
    state = parse_qs(urlsplit(start(client)).query)["state"][0]
    response = client.get(f"/accounts/oidc/agc/login/callback/?error=access_denied&state={state}")
    assert response.status_code == 400 and "could not be completed" in response.text


@pytest.mark.parametrize(
    ("next_url", "lands_on"),
    [("/training/", "/training/"), ("https://evil.example/", "/"), ("//evil.example/x", "/")],
)
def test_after_the_sign_in_only_the_apps_own_pages(client, idp, next_url, lands_on):
    idp.user("a.ono", PASSWORD, ["alliance-staff"])
    response = sign_in(client, "a.ono", next=next_url)
    assert response.status_code == 302
    assert response["Location"] == lands_on


def test_each_company_signs_in_its_own_people(client, idp):
    idp.user("n.abe", PASSWORD, ["alliance-staff"])
    sign_in(client, "n.abe", provider="medinet")
    user = User.objects.get(username="n.abe")
    assert trail_for(User, user.pk)[-1].reason.startswith("From the identity provider MEDINET (medinet):")
    client.logout()
    sign_in(client, "n.abe", provider="agc")  # another provider's subject: another account, never merged
    assert User.objects.filter(username__startswith="n.abe").count() == 2


def test_a_provider_user_named_like_a_local_account_does_not_become_it(client, idp, admin_user):
    idp.user("admin", PASSWORD, ["alliance-staff"])
    sign_in(client, "admin")
    admin_user.refresh_from_db()
    assert admin_user.is_superuser and not admin_user.groups.exists()
    assert User.objects.filter(groups__name="Staff", username__startswith="admin").exclude(pk=admin_user.pk).exists()


def test_the_password_login_still_locks_out_after_too_many_failures(client, idp, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "nobody", "password": "wrong-password-1"})
    response = client.post(reverse("login"), {"username": "nobody", "password": "wrong-password-1"})
    assert response.status_code == 429
