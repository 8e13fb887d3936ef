"""Applying a role migration's frozen copy of the roles: each migration lists the permissions as they stood then.

The mechanism only, never the roles themselves: a later change to ``accounts/roles.py`` cannot rewrite what an
old migration did. Changing what this function does would; write a new one instead.
"""

from __future__ import annotations

from collections.abc import Callable


def set_roles(roles: dict[str, list[str]]) -> Callable:
    """A RunPython function giving each role (group) exactly its ``"app_label.codename"`` permissions."""

    def apply(apps, schema_editor) -> None:
        from django.contrib.auth.management import create_permissions

        # Permissions are normally created after all migrations; make sure they exist now.
        for app_config in apps.get_app_configs():
            app_config.models_module = True
            create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
            app_config.models_module = None

        Group = apps.get_model("auth", "Group")
        Permission = apps.get_model("auth", "Permission")
        for role, wanted in roles.items():
            group, _created = Group.objects.using(schema_editor.connection.alias).get_or_create(name=role)
            permissions = []
            for name in sorted(wanted):
                app_label, codename = name.split(".")
                permissions.append(
                    Permission.objects.using(schema_editor.connection.alias).get(
                        content_type__app_label=app_label, codename=codename
                    )
                )
            group.permissions.set(permissions)

    return apply
