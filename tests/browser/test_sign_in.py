"""A person of AGC signs in with the company account, through the test OpenID provider (tests/idp/)."""

from __future__ import annotations

from playwright.sync_api import expect

PASSWORD = "company-password-123"


def test_a_manager_signs_in_through_the_company_provider_and_lands_on_the_dashboard(
    app_server, identity_provider, page, screenshot
):
    base = app_server["url"]
    identity_provider.user(
        "h.nishimura", PASSWORD, ["alliance-managers"], first_name="Haruka", email="h.nishimura@agc.example"
    )
    page.goto(f"{base}/accounts/login/")
    screenshot(page, "sign-in-providers")
    page.get_by_role("button", name="Sign in with AGC Biologics").click()
    # At the provider: its own sign-in page.
    page.get_by_label("Company username").fill("h.nishimura")
    page.get_by_label("Company password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in to the company").click()

    page.wait_for_url(f"{base}/")
    expect(page.get_by_role("link", name="h.nishimura")).to_be_visible()  # signed in, as the provider's user
    # The manager's role, from the group claim: the exports open, which staff never see.
    expect(page.get_by_role("link", name="Exports")).to_be_visible()
    page.get_by_role("link", name="Exports").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert page.url.startswith(f"{base}/exports/")


def test_a_person_whose_groups_have_no_role_is_told_so(app_server, identity_provider, page):
    base = app_server["url"]
    identity_provider.user("k.canteen", PASSWORD, ["cafeteria"])
    page.goto(f"{base}/accounts/login/")
    page.get_by_role("button", name="Sign in with AGC Biologics").click()
    page.get_by_label("Company username").fill("k.canteen")
    page.get_by_label("Company password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in to the company").click()
    expect(page.get_by_role("heading", name="Sign-in refused")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("no group that has a role in Alliance Tracker")
    page.goto(f"{base}/")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
