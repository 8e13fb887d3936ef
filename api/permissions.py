from __future__ import annotations

from rest_framework.permissions import BasePermission

READ = ("GET", "HEAD", "OPTIONS")


class RolePermission(BasePermission):
    """The roles' own model permissions (accounts/roles.py): reading needs the dataset's view permission, creating
    the model's add permission and updating its change permission. Nothing else is routed, so DELETE is a 405."""

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        return request.user.has_perms(view.permissions_for(request.method))
