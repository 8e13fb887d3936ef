"""The demo users (admin, staff, manager, auditor): who they are, their roles, and the passwords they may have."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from demo import illustrative
from demo.records import REASON, set_links


@dataclass
class Login:
    username: str
    role: str
    password: str | None  # None: the user existed and keeps the password they had


def demo_password_problems(password: str) -> list[str]:
    """What the password rules say about ``password`` for any of the demo users (empty when it suits them all)."""
    User = get_user_model()
    problems = []
    for username, _role, first_name in illustrative.DEMO_USERS:
        try:
            validate_password(password, User(username=username, first_name=first_name, email=demo_email(username)))
        except ValidationError as error:
            problems += [f"{username}: {message}" for message in error.messages]
    return problems


def demo_email(username: str) -> str:
    return f"{username}@demo.example"


def random_password(user) -> str:
    """A random password that the password rules accept for this user (a random one rarely spells a username)."""
    while True:
        candidate = secrets.token_urlsafe(12)
        try:
            validate_password(candidate, user)
        except ValidationError:
            continue
        return candidate


@transaction.atomic
def seed_users(password: str | None) -> list[Login]:
    """The demo users; ``password`` should pass demo_password_problems first (the command checks)."""
    User = get_user_model()
    logins = []
    for username, role, first_name in illustrative.DEMO_USERS:
        user = User.objects.filter(username=username).first()
        created = user is None
        if created:
            user = User(username=username, first_name=first_name, email=demo_email(username))
        # Accounts are on the audit trail: save (and so write history) only what changes, with the reason.
        wanted = {"is_staff": True, "is_superuser": role is None, "is_active": True}
        changed = created or any(getattr(user, name) != value for name, value in wanted.items())
        for name, value in wanted.items():
            setattr(user, name, value)
        new_password = password or (random_password(user) if created else None)
        if new_password:
            user.set_password(new_password)
        if changed or new_password:
            user._change_reason = REASON
            user.save()
        if role:
            set_links(user, "groups", [Group.objects.get(name=role)])
        logins.append(Login(username=username, role=role or "Administrator", password=new_password))
    return logins
