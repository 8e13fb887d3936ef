"""Passwords are stored as Argon2id at the deployment's chosen cost, and older hashes are upgraded at sign-in."""

from __future__ import annotations

import importlib

import pytest
from django.contrib.auth.hashers import make_password
from django.urls import reverse
from django.utils.module_loading import import_string

from tests.factories import UserFactory

PASSWORD = "correct-horse-battery"


@pytest.fixture
def production_hashers(settings):
    """The hashers the settings module declares (the suite swaps in a fast one for every other test)."""
    settings.PASSWORD_HASHERS = importlib.import_module("cdmo.settings").PASSWORD_HASHERS


def test_a_new_password_is_stored_as_argon2id_at_the_chosen_cost(production_hashers, db):
    user = UserFactory(username="h.sato")
    user.set_password(PASSWORD)
    user.save()
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert user.check_password(PASSWORD)
    assert not user.check_password(PASSWORD + "!")


def test_the_cost_follows_the_settings(production_hashers, settings, db):
    settings.PASSWORD_ARGON2_MEMORY_KIB = 8192
    settings.PASSWORD_ARGON2_TIME_COST = 3
    assert make_password(PASSWORD).startswith("argon2$argon2id$v=19$m=8192,t=3,p=1$")


@pytest.mark.parametrize(
    "old_hasher",
    [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        # Django's own Argon2 cost (100 MiB, 8 lanes): same algorithm, other parameters.
        "django.contrib.auth.hashers.Argon2PasswordHasher",
    ],
)
def test_an_older_hash_still_signs_in_and_is_rewritten_at_the_chosen_cost(production_hashers, client, db, old_hasher):
    user = UserFactory(username="h.sato")
    user.password = make_password(PASSWORD, hasher=import_string(old_hasher)())
    user.save()
    response = client.post(reverse("login"), {"username": "h.sato", "password": PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
