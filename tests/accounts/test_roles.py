"""The roles in the database are exactly those accounts/roles.py defines, after every migration has run.

The access tables (test_access, test_writes) state what each role may do and test it through the
database's groups; this test ties those groups back to the code, so that neither drifts alone. The groups come
from the role migrations' frozen copies: a change to roles.py fails here until a new migration carries it.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth.models import Group

import accounts.migrations
from accounts.roles import role_permissions


def test_each_role_in_the_database_has_exactly_the_permissions_roles_py_gives_it(db):
    differences = {}
    for role, wanted in role_permissions().items():
        group = Group.objects.filter(name=role).first()
        if group is None:
            differences[role] = "no such group"
            continue
        granted = set(group.permissions.values_list("content_type__app_label", "codename"))
        if granted != wanted:
            differences[role] = {"missing": sorted(wanted - granted), "extra": sorted(granted - wanted)}
    assert differences == {}


def test_role_migrations_carry_their_own_roles_instead_of_reading_roles_py():
    """Reading the live roles would let a change to roles.py rewrite what every old migration did."""
    migrations = Path(accounts.migrations.__file__).parent
    reading_live_roles = [p.name for p in migrations.glob("*.py") if "accounts.roles" in p.read_text(encoding="utf-8")]
    assert reading_live_roles == []
    assert len([p for p in migrations.glob("0*.py") if "set_roles(ROLES)" in p.read_text(encoding="utf-8")]) >= 6
