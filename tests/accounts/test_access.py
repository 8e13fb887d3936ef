"""Who may open what: one table of every URL × persona, and a check that the table covers every URL."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import URLResolver, get_resolver, reverse

from api.datasets import api_datasets
from audit.registry import audited_models
from tests.accounts.conftest import WORLD_PROVIDER
from tests.conftest import PERSONAS, login_as
from tests.scheduling import heavy

OK, BAD_REQUEST, UNAUTHORIZED, DENIED, NOT_FOUND, NOT_ALLOWED, UNAVAILABLE = 200, 400, 401, 403, 404, 405, 503
TO_LOGIN = "login"  # 302 to a login page (the admin may send anonymous visitors to its own)
INSIDE = "inside"  # 302 to another page of the app
TO_TRAIL = "trail"  # 302 to the record's audit trail


@dataclass(frozen=True)
class Expect:
    anonymous: object
    staff: object
    manager: object
    auditor: object
    admin: object


def everyone(outcome, anonymous=TO_LOGIN) -> Expect:
    return Expect(anonymous, outcome, outcome, outcome, outcome)


def admin_only(outcome=OK) -> Expect:
    return Expect(TO_LOGIN, DENIED, DENIED, DENIED, outcome)


# What each role may do in the admin, per model: v(iew), a(dd), c(hange), d(elete).
ROLE_RIGHTS = {
    "partners.company": ("v", "v", "v"),
    "partners.partnership": ("v", "v", "v"),
    "partners.capability": ("v", "v", "v"),
    "partners.site": ("v", "v", "v"),
    "partners.person": ("vac", "v", "v"),
    "partners.exchange": ("vac", "v", "v"),
    "milestones.milestone": ("v", "vac", "v"),
    "training.requirement": ("v", "v", "v"),
    "training.requirementversion": ("v", "v", "v"),
    "training.curriculum": ("v", "v", "v"),
    "training.trainingrecord": ("vac", "v", "v"),
    "training.trainingimport": ("v", "v", "v"),
    "governance.meeting": ("vac", "v", "v"),
    "governance.decision": ("vac", "v", "v"),
    "governance.action": ("vac", "v", "v"),
    "governance.risk": ("vac", "v", "v"),
    # API tokens: reviewed by auditors like accounts; administrators revoke them (api/, accounts/tokens.py).
    "accounts.apitoken": ("", "", "v"),
}


def model_urls(label: str, rights: tuple[str, str, str]) -> dict[str, Expect]:
    app, model = label.split(".")

    def outcome(right: str, granted) -> Expect:
        return Expect(TO_LOGIN, *(granted if right in r else DENIED for r in rights), granted)

    return {
        f"admin:{app}_{model}_changelist": outcome("v", OK),
        f"admin:{app}_{model}_add": outcome("a", OK),
        f"admin:{app}_{model}_change": outcome("v", OK),
        f"admin:{app}_{model}_history": outcome("v", TO_TRAIL),
        f"admin:{app}_{model}_delete": outcome("d", OK),
    }


TABLE: dict[str, Expect] = {
    "login": Expect(OK, INSIDE, INSIDE, INSIDE, INSIDE),
    "logout": everyone(NOT_ALLOWED),  # logging out is POST-only
    # Sign-in through an identity provider (docs/sign-in.md): a page with one button (the login page posts to it),
    # and the provider's way back, which without a sign-in in progress only says that none is.
    "openid_connect_login": everyone(OK, anonymous=OK),
    "openid_connect_callback": everyone(BAD_REQUEST, anonymous=BAD_REQUEST),
    "milestones:dashboard": everyone(OK),
    "milestones:detail": everyone(OK),
    "milestones:calendar": everyone(NOT_FOUND, anonymous=NOT_FOUND),  # its own token, not a session
    "partners:exchange_detail": everyone(OK),
    "training:matrix": everyone(OK),
    "admin:training_trainingrecord_import": Expect(TO_LOGIN, OK, DENIED, DENIED, OK),
    "admin:training_trainingrecord_import_template": Expect(TO_LOGIN, OK, DENIED, DENIED, OK),
    # Someone else's upload: as absent for those who may import as for those who may not see it at all.
    "admin:training_trainingrecord_import_preview": Expect(TO_LOGIN, NOT_FOUND, DENIED, DENIED, NOT_FOUND),
    "admin:training_trainingrecord_import_confirm": everyone(NOT_ALLOWED),  # POST-only
    "admin:training_trainingrecord_import_cancel": everyone(NOT_ALLOWED),  # POST-only
    "training:person": everyone(OK),
    "governance:decision_log": everyone(OK),
    "governance:decision_detail": everyone(OK),
    "governance:meeting_list": everyone(OK),
    "governance:meeting_detail": everyone(OK),
    "governance:my_actions": everyone(OK),
    "governance:risks": everyone(OK),
    # Only those accounts/signing.py lets sign the record: a manager approves a done milestone.
    "signatures:sign": Expect(TO_LOGIN, DENIED, OK, DENIED, DENIED),
    "exports:index": Expect(TO_LOGIN, DENIED, OK, OK, OK),
    "exports:download": Expect(TO_LOGIN, DENIED, OK, OK, OK),
    "exports:evidence": Expect(TO_LOGIN, DENIED, OK, OK, OK),
    "exports:jobs": Expect(TO_LOGIN, DENIED, OK, OK, OK),
    # Someone else's job: as absent for those who may export as for those who may not; administrators see all.
    "exports:job": Expect(TO_LOGIN, DENIED, NOT_FOUND, NOT_FOUND, OK),
    "exports:job_status": Expect(TO_LOGIN, DENIED, NOT_FOUND, NOT_FOUND, OK),
    "exports:job_download": Expect(TO_LOGIN, DENIED, NOT_FOUND, NOT_FOUND, OK),
    "accounts:regenerate_calendar_token": everyone(NOT_ALLOWED),  # POST-only
    "accounts:language": everyone(NOT_ALLOWED, anonymous=NOT_ALLOWED),  # POST-only; the login page offers it too
    "accounts:preferences": everyone(OK),
    "accounts:api_token_create": everyone(NOT_ALLOWED),  # POST-only
    "accounts:api_token_revoke": everyone(NOT_ALLOWED),  # POST-only
    # The API signs its caller in itself (a token, or here the session): no login page, a 401.
    "api:api-root": everyone(OK, anonymous=UNAUTHORIZED),
    "api:schema": everyone(OK, anonymous=UNAUTHORIZED),
    "api:docs": everyone(OK),
    **{f"api:{name}-list": everyone(OK, anonymous=UNAUTHORIZED) for name in api_datasets()},
    **{f"api:{name}-detail": everyone(OK, anonymous=UNAUTHORIZED) for name, d in api_datasets().items() if d.table},
    "api:audit-trail-list": Expect(UNAUTHORIZED, DENIED, OK, OK, OK),
    # Signatures span every kind of signed record: read by those who export the records, as on the exports page.
    "api:signatures-list": Expect(UNAUTHORIZED, DENIED, OK, OK, OK),
    "core:healthz": everyone(OK, anonymous=OK),
    "audit:trail": Expect(TO_LOGIN, DENIED, OK, OK, OK),
    "admin:index": everyone(OK),
    "admin:login": Expect(OK, INSIDE, INSIDE, INSIDE, INSIDE),
    "admin:logout": everyone(NOT_ALLOWED),
    "admin:password_change": everyone(OK),
    "admin:password_change_done": everyone(OK),
    "admin:jsi18n": everyone(OK),
    "admin:autocomplete": everyone(DENIED),  # without its query parameters
    "admin:view_on_site": everyone(INSIDE),  # to the exchange's own page
    "admin:app_list": everyone(OK),
    "admin:auth_user_password_change": admin_only(),
    # Auditors review accounts and roles, and who changed them (read-only); only administrators change them.
    **{
        f"admin:auth_{model}_{view}": Expect(TO_LOGIN, DENIED, DENIED, OK, OK)
        for model in ("user", "group")
        for view in ("changelist", "change")
    },
    **{
        f"admin:auth_{model}_history": Expect(TO_LOGIN, DENIED, DENIED, TO_TRAIL, TO_TRAIL)
        for model in ("user", "group")
    },
    **{f"admin:auth_{model}_add": admin_only() for model in ("user", "group")},
    "admin:auth_user_delete": admin_only(DENIED),  # accounts are deactivated, never deleted
    "admin:auth_group_delete": admin_only(DENIED),  # roles live in code and migrations
    **{
        f"admin:axes_{model}_{view}": admin_only(DENIED if view == "add" else OK)
        for model in ("accessattempt", "accesslog", "accessfailurelog")
        for view in ("changelist", "add", "change", "history", "delete")
    },
}
for _label, _rights in ROLE_RIGHTS.items():
    TABLE.update(model_urls(_label, _rights))
# An import is a record of what happened: nobody adds or deletes one by hand, administrators included.
TABLE["admin:training_trainingimport_add"] = everyone(DENIED)
TABLE["admin:training_trainingimport_delete"] = everyone(DENIED)
# The committee's records are closed, cancelled, rejected or superseded, never deleted.
TABLE.update(
    {f"admin:governance_{model}_delete": everyone(DENIED) for model in ("meeting", "decision", "action", "risk")}
)
# A token is issued to its owner on the preferences page (its secret shown once) and revoked, never deleted.
TABLE["admin:accounts_apitoken_add"] = everyone(DENIED)
TABLE["admin:accounts_apitoken_delete"] = everyone(DENIED)


def all_url_names() -> set[str]:
    names = set()

    def walk(resolver, namespace=""):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern, namespace + (f"{pattern.namespace}:" if pattern.namespace else ""))
            elif pattern.name:
                names.add(namespace + pattern.name)

    walk(get_resolver())
    return names


def test_every_url_is_in_the_access_table():
    assert all_url_names() - TABLE.keys() == set()
    assert TABLE.keys() - all_url_names() == set()


def url_for(name: str, world) -> str:
    if name == "milestones:detail":
        return reverse(name, args=[world["objects"]["milestones.milestone"].pk])
    if name in ("openid_connect_login", "openid_connect_callback"):
        return reverse(name, args=[WORLD_PROVIDER])
    if name == "partners:exchange_detail":
        return reverse(name, args=[world["exchange"].pk])
    if name in ("governance:decision_detail", "governance:meeting_detail"):
        return reverse(name, args=[world["objects"][f"governance.{name.split(':')[1].split('_')[0]}"].pk])
    if name == "training:person":
        return reverse(name, args=[world["objects"]["partners.person"].pk])
    if name == "signatures:sign":
        return reverse(name, args=["milestones", "milestone", world["signable"].pk])
    if name == "exports:download":
        return reverse(name, args=["milestones", "csv"])
    if name in {"exports:job", "exports:job_status", "exports:job_download"}:
        return reverse(name, args=[world["export_job"].pk])
    if name == "audit:trail":
        return reverse(name, args=["partners", "exchange", world["exchange"].pk])
    if name == "accounts:api_token_revoke":
        return reverse(name, args=[world["objects"]["accounts.apitoken"].pk])
    if name.startswith("api:") and name.endswith("-detail"):
        dataset = api_datasets()[name.removeprefix("api:").removesuffix("-detail")]
        return reverse(name, args=[world["objects"][dataset.table.model._meta.label_lower].pk])
    if name == "admin:app_list":
        return reverse(name, args=["partners"])
    if name == "admin:view_on_site":
        return reverse(name, args=[ContentType.objects.get_for_model(world["exchange"]).pk, world["exchange"].pk])
    if name == "admin:training_trainingrecord_import_template":
        return reverse(name, args=["xlsx"])
    if name.startswith("admin:training_trainingrecord_import_"):
        return reverse(name, args=[world["upload"].pk])
    if name == "admin:auth_user_password_change":
        return reverse(name, args=[world["user"].pk])
    app_model, _sep, view = name.removeprefix("admin:").rpartition("_")
    label = app_model.replace("_", ".", 1)
    if label in world["objects"] and view in {"change", "history", "delete"}:
        return reverse(name, args=[world["objects"][label].pk])
    return reverse(name)


def check(response, expected, name: str, world) -> None:
    if expected == TO_LOGIN:
        assert response.status_code == 302
        login_pages = (reverse("login"), reverse("admin:login")) if name.startswith("admin:") else (reverse("login"),)
        assert response.url.startswith(login_pages)
    elif expected == INSIDE:
        assert response.status_code == 302
        assert not response.url.startswith(reverse("login"))
    elif expected == TO_TRAIL:
        assert response.status_code == 302
        assert response.url.startswith("/audit/")
    else:
        assert response.status_code == expected


@heavy("access-table")
@pytest.mark.parametrize("persona", PERSONAS)
def test_access_table(client, world, persona):
    login_as(client, persona)
    failures = []
    for name, expect in sorted(TABLE.items()):
        expected = getattr(expect, persona)
        response = client.get(url_for(name, world))
        try:
            check(response, expected, name, world)
        except AssertionError:
            failures.append(f"{name}: expected {expected}, got {response.status_code} {response.get('Location', '')}")
    assert failures == []


def test_the_rights_table_covers_every_audited_model():
    """A new audited model needs its rights stated here (ROLE_RIGHTS), or among the access rows above."""
    stated_above = {"auth.user", "auth.group"}  # accounts and roles: auditors read, administrators change
    no_admin_pages = {"exports.exportrecord"}  # read on the audit trail only
    audited = {model._meta.label_lower for model in audited_models()}
    assert ROLE_RIGHTS.keys() | stated_above | no_admin_pages == audited
