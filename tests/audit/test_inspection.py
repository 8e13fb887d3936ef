"""What an inspector relies on: a day of normal work leaves every chain intact, and each way of tampering with the
trail afterwards makes ``verify_audit`` fail and name the chain. Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime
import io
import zipfile
from io import StringIO

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from exports.sources import NAMES
from milestones.models import Milestone
from partners.models import Exchange
from tests.audit.helpers import protection_off, rehash
from tests.factories import ExchangeFactory, MilestoneFactory, UserFactory
from tests.html_forms import form_values

D = datetime.date


def admin_edit(client, record, **changes) -> None:
    """Change a record as staff do: open its admin page, change fields, give a reason, save."""
    opts = record._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk])
    data = form_values(client.get(url).text, f"{opts.model_name}_form")
    data.update(changes, change_reason="Updated after the weekly alliance meeting")
    response = client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else response


def verify(anchor=None) -> str:
    out = StringIO()
    call_command("verify_audit", *([f"--anchor={anchor}"] if anchor else []), stdout=out)
    return out.getvalue()


@pytest.fixture
def normal_day(admin_client, alliance, tmp_path):
    exchange = ExchangeFactory(
        person=alliance.agc_person,
        partnership=alliance.partnership,
        host_company=alliance.medinet,
        host_site=alliance.shinagawa,
        planned_start=D(2025, 1, 6),
        planned_end=D(2025, 3, 28),
    )
    milestone = MilestoneFactory(partnership=alliance.partnership, site=alliance.yokohama)
    admin_edit(admin_client, exchange, planned_end="2025-04-30", objectives="Shadow QC release testing.")
    admin_edit(admin_client, milestone, forecast_date="2026-09-30")

    colleague = UserFactory(username="h.sato", role="Staff")
    admin_edit(admin_client, colleague, groups=[str(g.pk) for g in Group.objects.filter(name__in=["Staff", "Manager"])])
    admin_edit(admin_client, colleague, is_active="")
    auditor = Group.objects.get(name="Auditor")
    extra = Permission.objects.get(codename="view_logentry")
    admin_edit(admin_client, auditor, permissions=[str(p.pk) for p in [*auditor.permissions.all(), extra]])

    query = {"start": "2025-01-01", "end": "2025-12-31", "partnership": alliance.partnership.pk, "headers": "ja"}
    for dataset in NAMES:
        for fmt in ("csv", "xlsx", "json"):
            response = admin_client.get(reverse("exports:download", args=[dataset, fmt]), query)
            assert response.status_code == 200
            b"".join(response.streaming_content) if response.streaming else response.content
    pack = admin_client.get(reverse("exports:evidence"), query)
    with zipfile.ZipFile(io.BytesIO(b"".join(pack.streaming_content))) as archive:
        (tmp_path / "manifest.json").write_bytes(archive.read("manifest.json"))
    return tmp_path / "manifest.json"


def test_a_day_of_normal_work_leaves_every_chain_intact(normal_day):
    assert "BROKEN" not in verify()
    assert "Audit trail intact" in verify(anchor=normal_day)


def alter_a_row(model, table, pk):
    row = model.history.order_by("-chain_seq").first()
    with protection_off(table), connection.cursor() as cursor:
        cursor.execute(f'UPDATE "{table}" SET history_change_reason = %s WHERE "{pk}" = %s', ["Typo", row.pk])


def swap_two_keys(model, table, pk):
    first, second = model.history.order_by("chain_seq")[:2]
    with protection_off(table), connection.cursor() as cursor:
        cursor.execute(f'UPDATE "{table}" SET "{pk}" = -1 WHERE "{pk}" = %s', [first.pk])
        cursor.execute(f'UPDATE "{table}" SET "{pk}" = %s WHERE "{pk}" = %s', [first.pk, second.pk])
        cursor.execute(f'UPDATE "{table}" SET "{pk}" = %s WHERE "{pk}" = -1', [second.pk])


def roll_back(model, table, pk):
    last = model.history.order_by("-chain_seq").first()
    with protection_off(table), connection.cursor() as cursor:
        cursor.execute(f'DELETE FROM "{table}" WHERE "{pk}" = %s', [last.pk])
    rehash(model.history.model)


def rewrite_and_rehash(model, table, pk):
    alter_a_row(model, table, pk)
    rehash(model.history.model)


def disable_a_trigger(model, table, pk):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER USER')
        else:
            cursor.execute(f'DROP TRIGGER "{table}_no_update"')


@pytest.mark.parametrize(
    ("tamper", "model"),
    [
        (alter_a_row, Exchange),
        (swap_two_keys, Milestone),
        (roll_back, User),
        (rewrite_and_rehash, Group),
        (disable_a_trigger, Exchange),
    ],
    ids=lambda value: getattr(value, "__name__", ""),
)
def test_each_kind_of_tampering_after_a_normal_day_is_named(normal_day, tamper, model):
    history = model.history.model
    table = history._meta.db_table
    tamper(model, table, history._meta.pk.column)
    with pytest.raises(CommandError) as caught:
        verify(anchor=normal_day)
    assert table in str(caught.value)
