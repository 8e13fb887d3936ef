"""The exports' SQL reads characters' code points, which PostgreSQL gives only in a UTF-8 database: `migrate` (and
`check --database`) refuse any other encoding with a clear message instead of failing at the first export."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import connection


@pytest.mark.django_db
def test_a_utf8_database_passes_the_check():
    call_command("check", "--database", "default")


@pytest.mark.django_db
def test_a_postgresql_database_in_another_encoding_is_refused_before_any_export():
    with (
        mock.patch.object(connection, "vendor", "postgresql"),
        mock.patch("exports.checks.database_encoding", return_value="EUC_JP"),
        pytest.raises(SystemCheckError, match=r"exports\.E001.*encoded in EUC_JP"),
    ):
        call_command("check", "--database", "default")
