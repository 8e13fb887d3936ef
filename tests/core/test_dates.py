"""Dates written once per process: each in the language active when it is asked for, whatever was asked before."""

from __future__ import annotations

import datetime

import pytest
from django.utils import formats, translation

from core.dates import local_date

DAY = datetime.date(2026, 9, 30)


@pytest.mark.parametrize("format_name", ["DATE_FORMAT", "SHORT_DATE_FORMAT"])
def test_a_date_is_written_in_the_active_language_whichever_language_asked_first(format_name):
    written = []
    for language in ["en", "ja", "en", "ja"]:
        with translation.override(language):
            written.append((local_date(DAY, format_name), formats.date_format(DAY, format_name)))
    assert [ours for ours, _django in written] == [django for _ours, django in written]
    assert written[0][0] != written[1][0]  # the two languages write it differently, so a mix-up would show


def test_no_date_is_written_as_nothing():
    assert local_date(None, "SHORT_DATE_FORMAT") == ""
