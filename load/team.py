"""The load test's team: an account per simulated user, in the demo users' roles.

Per-user limits (export slots, running jobs, sign-in lockouts) apply to a person; eight simulated auditors sharing
the one demo login would meet them as no real team does. Run by run.py in the load database, after seed_demo.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

ROLES = ("staff", "manager", "auditor")
REASON = "Load test account"


@transaction.atomic
def create_team(size: int) -> None:
    """``size`` accounts per role (``staff-1`` …), each with its demo user's roles and password."""
    User = get_user_model()
    for role in ROLES:
        model = User.objects.get(username=role)
        groups = list(model.groups.all())
        for number in range(1, size + 1):
            member = User(username=f"{role}-{number}", first_name=model.first_name, is_staff=model.is_staff)
            member.password = model.password  # the same password, without hashing it again for each account
            member._change_reason = REASON
            member.save()
            member._change_reason = REASON
            member.groups.set(groups)
