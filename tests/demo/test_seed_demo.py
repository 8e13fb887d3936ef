from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.management import CommandError, call_command

from partners.models import Partnership


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_without_a_password_new_users_get_a_random_one_and_a_rerun_keeps_it():
    first = seed()
    staff_line = next(line for line in first.splitlines() if line.strip().startswith("staff"))
    password = staff_line.split()[-1]
    assert len(password) >= 12
    second = seed()
    assert password not in second
    assert "existing password kept" in second
    assert get_user_model().objects.get(username="staff").check_password(password)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "password, reason", [("staff12345-demo", "contains your username"), ("short-pw", "at least 12 characters")]
)
def test_a_demo_password_that_breaks_the_password_rules_is_refused_before_anything_is_loaded(password, reason):
    with pytest.raises(CommandError, match=reason):
        seed("--password", password)
    assert not get_user_model().objects.exists()
    assert not Partnership.objects.exists()


@pytest.mark.django_db
def test_generated_demo_passwords_meet_the_password_rules():
    output = seed()
    for username in ("admin", "staff", "manager", "auditor"):
        line = next(line for line in output.splitlines() if line.strip().startswith(username))
        validate_password(line.split()[-1], get_user_model().objects.get(username=username))


@pytest.mark.django_db
def test_negative_exchange_count_is_refused():
    with pytest.raises(CommandError, match="zero or more"):
        seed("--exchanges", "-5")
