"""Access changes (accounts, roles, permissions, passwords) are on the audit trail like any record."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.history import BASELINE_REASON, MIGRATED_REASON, record_access_state
from audit.history import AuditedWriteError
from audit.trail import trail_for
from audit.verify import verify_all
from audit.versions import version_of
from tests.conftest import login_as
from tests.exports.test_exports import read_csv
from tests.factories import UserFactory

User = get_user_model()
PASSWORD = "correct-horse-battery"


def account_form(user, **overrides) -> dict:
    """The user admin's change form as the browser posts it, for ``user`` as stored."""
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on" if user.is_active else "",
        "is_staff": "on" if user.is_staff else "",
        "is_superuser": "on" if user.is_superuser else "",
        "groups": [group.pk for group in user.groups.all()],
        "user_permissions": [permission.pk for permission in user.user_permissions.all()],
        "profile-TOTAL_FORMS": "1",
        "profile-INITIAL_FORMS": "0",
        "profile-MIN_NUM_FORMS": "0",
        "profile-MAX_NUM_FORMS": "1",
        "profile-0-language": "",
        "profile-0-time_zone": "Asia/Tokyo",
        "profile-0-year_basis": "",
        "change_reason": "",
        "record_version": version_of(type(user), user.pk),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value != ""}


def role_form(group, **overrides) -> dict:
    data = {
        "name": group.name,
        "permissions": [p.pk for p in group.permissions.all()],
        "change_reason": "",
        "record_version": version_of(type(group), group.pk),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value != ""}


def verify_audit() -> str:
    out = StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


def csv_rows(client, record_type: str) -> list[dict]:
    response = client.get(reverse("exports:download", args=["audit-trail", "csv"]), {"record_type": record_type})
    assert response.status_code == 200
    return read_csv(response)


@pytest.fixture
def reader(db):
    """An auditor in a browser of their own, beside the administrator making the changes."""
    return login_as(Client(), "auditor")


@pytest.fixture
def colleague(db):
    return UserFactory(username="h.sato", first_name="Hana", role="Staff")


def test_adding_a_user_to_the_manager_role_is_on_the_trail_page_and_in_the_export(admin_client, reader, colleague):
    manager = Group.objects.get(name="Manager")
    staff = Group.objects.get(name="Staff")
    url = reverse("admin:auth_user_change", args=[colleague.pk])
    response = admin_client.post(
        url, account_form(colleague, groups=[staff.pk, manager.pk], change_reason="Promoted to site manager")
    )
    assert response.status_code == 302, response.text
    assert set(colleague.groups.values_list("name", flat=True)) == {"Staff", "Manager"}

    last = colleague.history.order_by("chain_seq").last()
    assert (last.history_user.username, last.history_change_reason) == ("admin", "Promoted to site manager")
    change = next(c for c in trail_for(User, colleague.pk)[-1].changes if c.field == "groups")
    assert (change.old, change.new) == ("Staff", "Manager, Staff")
    assert all(report.ok for report in verify_all())
    assert "accounts_historicaluser: " in verify_audit()

    page = reader.get(reverse("audit:trail", args=["auth", "user", colleague.pk]))
    assert page.status_code == 200
    assert "Promoted to site manager" in page.text and "Manager, Staff" in page.text

    rows = [r for r in csv_rows(reader, "user") if r["Reason"] == "Promoted to site manager" and r["Field"]]
    assert {(r["Field"], r["Old value"], r["New value"]) for r in rows} == {("groups", "Staff", "Manager, Staff")}
    assert {(r["Who"], r["Record"], r["Record type"]) for r in rows} == {("admin", "h.sato", "user")}


def test_deactivating_a_user_is_on_the_trail_with_its_reason(admin_client, reader, colleague):
    url = reverse("admin:auth_user_change", args=[colleague.pk])
    response = admin_client.post(url, account_form(colleague, is_active="", change_reason="Left the company"))
    assert response.status_code == 302, response.text
    colleague.refresh_from_db()
    assert not colleague.is_active

    change = next(c for c in trail_for(User, colleague.pk)[-1].changes if c.field == "is_active")
    assert (change.old, change.new) == ("Yes", "No")
    rows = csv_rows(reader, "user")
    assert ("is_active", "Yes", "No", "Left the company") in {
        (r["Field"], r["Old value"], r["New value"], r["Reason"]) for r in rows
    }
    assert all(report.ok for report in verify_all())


def test_a_permission_added_to_a_role_is_on_the_roles_trail(admin_client, reader, db):
    auditor = Group.objects.get(name="Auditor")
    added = Permission.objects.get(content_type__app_label="partners", codename="change_site")
    url = reverse("admin:auth_group_change", args=[auditor.pk])
    permissions = [p.pk for p in auditor.permissions.all()] + [added.pk]
    response = admin_client.post(url, role_form(auditor, permissions=permissions, change_reason="Auditors fix sites"))
    assert response.status_code == 302, response.text

    last = trail_for(Group, auditor.pk)[-1]
    assert last.reason == "Auditors fix sites" and last.user == "admin"
    change = next(c for c in last.changes if c.field == "permissions")
    assert "Can change site" in change.new and "Can change site" not in change.old
    page = reader.get(reverse("audit:trail", args=["auth", "group", auditor.pk]))
    assert page.status_code == 200 and "Auditors fix sites" in page.text
    rows = [r for r in csv_rows(reader, "group") if r["Reason"] == "Auditors fix sites" and r["Field"]]
    assert [(r["Record"], r["Field"]) for r in rows] == [("Auditor", "permissions")]
    assert "Can change site" in rows[0]["New value"]
    assert all(report.ok for report in verify_all())


def test_a_roles_trail_names_its_permissions_in_a_fixed_number_of_queries(admin_client, reader, db):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    role = Group.objects.create(name="Reviewers")
    url = reverse("audit:trail", args=["auth", "group", role.pk])
    permissions = list(Permission.objects.filter(content_type__app_label="partners")[:12])
    role._change_reason = "Reviewers read more records"
    role.permissions.add(permissions[0])
    reader.get(url)
    with CaptureQueriesContext(connection) as few:
        reader.get(url)
    for permission in permissions[1:]:
        role.permissions.add(permission)
    with CaptureQueriesContext(connection) as many:
        page = reader.get(url)
    assert page.text.count("Reviewers read more records") == 12
    assert len(many) == len(few)


@pytest.mark.parametrize(
    ("name", "url_name", "form"),
    [
        ("user change", "admin:auth_user_change", "account"),
        ("role change", "admin:auth_group_change", "role"),
    ],
)
def test_an_access_change_without_a_reason_is_refused(admin_client, colleague, name, url_name, form):
    manager = Group.objects.get(name="Manager")
    if form == "account":
        target, data = colleague, account_form(colleague, groups=[manager.pk])
    else:
        target = manager
        data = role_form(manager, permissions=[p.pk for p in Permission.objects.filter(codename="view_user")])
    rows_before = target.history.count()
    for reason in ("", "ok"):
        response = admin_client.post(reverse(url_name, args=[target.pk]), {**data, "change_reason": reason})
        assert response.status_code == 200, name
        assert "errornote" in response.text
    assert target.history.count() == rows_before
    assert set(colleague.groups.values_list("name", flat=True)) == {"Staff"}
    assert manager.permissions.filter(codename="view_user").exists() is False


def test_creating_an_account_needs_a_reason_and_never_records_the_password(admin_client, reader, db):
    url = reverse("admin:auth_user_add")
    form = {
        "username": "k.ito",
        "usable_password": "true",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **{f"profile-{key}_FORMS": count for key, count in [("TOTAL", "0"), ("INITIAL", "0"), ("MIN_NUM", "0")]},
        "profile-MAX_NUM_FORMS": "1",
    }
    refused = admin_client.post(url, form)
    assert refused.status_code == 200 and not User.objects.filter(username="k.ito").exists()

    response = admin_client.post(url, {**form, "change_reason": "Joins the Yokohama QC team"})
    assert response.status_code == 302, response.text
    user = User.objects.get(username="k.ito")
    created = user.history.get()
    assert (created.history_type, created.history_change_reason) == ("+", "Joins the Yokohama QC team")
    assert not hasattr(created, "password")
    password = next(c for c in trail_for(User, user.pk)[0].changes if c.field == "password_changed")
    assert (password.old, password.new) == ("—", "set")

    export = reader.get(reverse("exports:download", args=["audit-trail", "csv"]), {"record_type": "user"})
    text = b"".join(export.streaming_content).decode() if export.streaming else export.text
    assert "k.ito" in text and user.password not in text and user.password.split("$")[-1] not in text


def test_a_password_change_needs_a_reason_and_records_that_it_changed_not_its_value(admin_client, colleague):
    url = reverse("admin:auth_user_password_change", args=[colleague.pk])
    new = "another-long-passphrase"
    form = {"usable_password": "true", "password1": new, "password2": new, "set-password": "1"}
    for reason in ("", "."):
        refused = admin_client.post(url, {**form, "change_reason": reason})
        assert refused.status_code == 200 and "errorlist" in refused.text
    colleague.refresh_from_db()
    assert colleague.check_password(PASSWORD)

    response = admin_client.post(url, {**form, "change_reason": "Forgot the password, identity checked"})
    assert response.status_code == 302, response.text
    colleague.refresh_from_db()
    assert colleague.check_password(new)
    last = trail_for(User, colleague.pk)[-1]
    assert last.reason == "Forgot the password, identity checked"
    assert [(c.field, c.old, c.new) for c in last.changes] == [("password_changed", "—", "changed")]
    assert all(report.ok for report in verify_all())


def test_disabling_password_login_is_on_the_trail(admin_client, colleague):
    url = reverse("admin:auth_user_password_change", args=[colleague.pk])
    response = admin_client.post(
        url, {"usable_password": "false", "unset-password": "1", "change_reason": "Signs in through the SSO only"}
    )
    assert response.status_code == 302, response.text
    changes = trail_for(User, colleague.pk)[-1].changes
    assert [(c.field, c.old, c.new) for c in changes] == [("password_usable", "Yes", "No")]


def test_a_login_writes_no_history_row(client, colleague):
    rows = colleague.history.count()
    response = client.post(reverse("login"), {"username": "h.sato", "password": PASSWORD})
    assert response.status_code == 302
    colleague.refresh_from_db()
    assert colleague.last_login is not None
    assert colleague.history.count() == rows


def test_a_password_hash_upgraded_at_login_writes_no_history_row(client, colleague, settings):
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    rows = colleague.history.count()
    response = client.post(reverse("login"), {"username": "h.sato", "password": PASSWORD})
    assert response.status_code == 302
    colleague.refresh_from_db()
    assert colleague.password.startswith("pbkdf2_")  # upgraded and saved
    assert colleague.history.count() == rows


def test_migrations_leave_every_role_on_the_trail_as_it_stands(db):
    for role in Group.objects.all():
        first = role.history.order_by("chain_seq").first()
        assert first.history_change_reason == BASELINE_REASON
        assert {row.permission_id for row in first.permissions.all()} == set(
            role.permissions.values_list("pk", flat=True)
        )


def test_a_role_changed_by_a_migration_gets_a_history_row_after_migrate(db):
    staff = Group.objects.get(name="Staff")
    through = Group.permissions.through
    # As a role migration does it: through historical models, which send no history signals.
    through.objects.filter(group=staff, permission__codename="add_person").delete()
    rows = staff.history.count()
    record_access_state()
    assert staff.history.count() == rows + 1
    last = trail_for(Group, staff.pk)[-1]
    assert last.reason == MIGRATED_REASON
    assert "Can add person" in next(c for c in last.changes if c.field == "permissions").old
    record_access_state()
    assert staff.history.count() == rows + 1  # nothing more to record


def test_accounts_and_roles_refuse_bulk_writes(colleague):
    with pytest.raises(AuditedWriteError):
        User.objects.filter(pk=colleague.pk).update(is_active=False)
    with pytest.raises(AuditedWriteError):
        Group.objects.filter(name="Staff").delete()
    assert User.objects.get(pk=colleague.pk).is_active and Group.objects.filter(name="Staff").exists()
