"""The project's own database expressions, on the database the suite runs on."""

from __future__ import annotations

import datetime

import pytest

from core.expressions import DateLiteral
from partners.models import Company


def test_a_date_written_into_the_sql_comes_back_as_that_date(alliance):
    day = datetime.date(2026, 1, 2)
    assert set(Company.objects.annotate(day=DateLiteral(day)).values_list("day", flat=True)) == {day}
    assert Company.objects.filter(pk=alliance.agc.pk).annotate(day=DateLiteral(day)).filter(day__gt=day).count() == 0


@pytest.mark.parametrize("value", [datetime.datetime(2026, 1, 2, 3, 4), None, "2026-01-02"])
def test_only_a_date_can_be_written_into_the_sql(value):
    """A datetime is a date too, but SQLite keeps it as text with a space where isoformat() writes a "T"."""
    with pytest.raises(TypeError):
        DateLiteral(value)
