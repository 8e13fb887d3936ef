"""The roles in the database are exactly those accounts/roles.py defines, after every migration has run.

The access tables (test_access, test_writes) state what each role may do and test it through the
database's groups; this test ties those groups back to the code, so that neither drifts alone.
"""

from __future__ import annotations

from django.contrib.auth.models import Group

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
