"""The admin's list rows, drawn with the work that is the same for every row done once per page.

Django's ``items_for_result`` works out each cell from scratch: the column's field, its CSS classes, the empty-value
text, the change link (a ``reverse()`` and, with filters on, a ``resolve()`` per row) and the localized value. On a
100-row list of six columns that was most of the page's CPU. ``rows`` draws the same HTML: per column it settles
what does not depend on the row, the change link is reversed once with a stand-in for the key, and a value shown
again in the same column (a date, a status) is formatted once. The template then writes one string per row.

What it does not know (editable lists, a changelist whose links are built another way) goes to Django's own code;
``tests/core/test_changelist.py`` holds every admin list's rows to what Django draws.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterator
from decimal import Decimal

from django.contrib.admin.templatetags.admin_list import ResultList, _coerce_field_name, results
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import (
    FieldIsAForeignKeyColumnName,
    _get_non_gfk_field,
    display_for_field,
    display_for_value,
    lookup_field,
    quote,
)
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.urls import NoReverseMatch
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString

from core.dates import local_date

# Stands for the key in the change link reversed once per page. The admin's quote() and reverse() leave "!" as it
# is in a path; a query string always has it escaped, so it can only be the key's place.
KEY = "!key!"
# A key that quote() and reverse() both leave as it is, so it can take the stand-in's place as is.
PLAIN_KEY = re.compile(r"[A-Za-z0-9_.~-]+")
# Values whose display depends on the value alone (and the page's language): drawn once per column and value.
SAME_EVERY_TIME = (datetime.date, str, int, bool, Decimal, type(None))
ABSENT = object()


def rows(cl: ChangeList) -> Iterator[ResultList]:
    """Each row of the page as one piece of HTML, the cells exactly as Django's ``items_for_result`` draws them."""
    if cl.formset or cl.is_popup or type(cl).url_for_result is not ChangeList.url_for_result:
        yield from results(cl)
        return
    link = link_maker(cl)
    cells, first = [], True
    for index, name in enumerate(cl.list_display):
        # As Django decides: every linked column is a link, the first of them a header cell.
        is_link = linked(cl, first, name)
        cells.append(column(cl, index, name, link if is_link else None, "th" if is_link and first else "td"))
        first = first and not is_link
    for result in cl.result_list:
        yield ResultList(None, [SafeString("".join([cell(result) for cell in cells]))])


def link_maker(cl: ChangeList) -> Callable[[models.Model], str | None]:
    """The escaped change link of a row (None where the admin has no change page), reversed once per page."""
    try:
        url = cl.url_for_result(_StandIn(cl.pk_attname))
    except NoReverseMatch:
        return lambda result: None
    pattern = escape(add_preserved_filters({"preserved_filters": cl.preserved_filters, "opts": cl.opts}, url))
    before, found, after = pattern.partition(KEY)
    if not found or KEY in after:
        return lambda result: escape(_slow_link(cl, result))

    def made(result: models.Model) -> str:
        key = str(quote(getattr(result, cl.pk_attname)))
        if not PLAIN_KEY.fullmatch(key):
            return escape(_slow_link(cl, result))
        return before + key + after

    return made


class _StandIn:
    """A row whose key is the stand-in, for the one reverse() of the page."""

    def __init__(self, attname: str) -> None:
        setattr(self, attname, KEY)


def _slow_link(cl: ChangeList, result: models.Model) -> str:
    url = cl.url_for_result(result)
    return add_preserved_filters({"preserved_filters": cl.preserved_filters, "opts": cl.opts}, url)


def linked(cl: ChangeList, first: bool, name) -> bool:
    if cl.list_display_links is None:
        return False
    if first and not cl.list_display_links:
        return True
    return name in cl.list_display_links


def column(cl: ChangeList, index: int, name, link, tag: str) -> Callable[[models.Model], str]:
    """The function that draws this column's cell of a row (``link`` makes the change link where the cell is one)."""
    admin = cl.model_admin
    empty = admin.get_empty_value_display()
    classes = f"field-{_coerce_field_name(name, index)}"
    is_link = link is not None
    field = _field(cl.lookup_opts, name)
    drawn: dict = {}

    def wrap(shown, row_class: str, result: models.Model) -> str:
        text = conditional_escape(shown)
        if is_link:
            url = link(result)
            if url is not None:
                text = f'<a href="{url}">{text}</a>'
        return f"<{tag}{row_class}>{text}</{tag}>"

    if field is not None and not field.auto_created:
        nowrap = isinstance(field, (models.DateField, models.TimeField, models.ForeignKey))
        row_class = f' class="{classes} nowrap"' if nowrap else f' class="{classes}"'
        related = isinstance(field.remote_field, models.ManyToOneRel)
        # What display_for_field does with a date: the reader's language's date format.
        plain_date = type(field) is models.DateField and not field.flatchoices
        attname = field.name

        def cell(result: models.Model) -> str:
            try:
                value = getattr(result, attname)
            except ObjectDoesNotExist:
                return wrap(empty, f' class="{classes}"', result)
            if isinstance(value, str) and value.strip() == "":
                value = ""
            if related:
                return wrap(empty if value is None else value, row_class, result)
            if plain_date and type(value) is datetime.date:
                return wrap(local_date(value), row_class, result)
            if type(value) in SAME_EVERY_TIME:
                shown = drawn.get((type(value), value), ABSENT)
                if shown is ABSENT:
                    shown = drawn[(type(value), value)] = display_for_field(value, field, empty, avoid_link=is_link)
                return wrap(shown, row_class, result)
            return wrap(display_for_field(value, field, empty, avoid_link=is_link), row_class, result)

        return cell

    def computed(result: models.Model) -> str:
        # A method, property or callable: Django's own lookup and display, per row.
        row_classes = [classes]
        try:
            f, attr, value = lookup_field(name, result, admin)
        except ObjectDoesNotExist:
            return wrap(empty, f' class="{classes}"', result)
        shown_empty = getattr(attr, "empty_value_display", empty)
        if isinstance(value, str) and value.strip() == "":
            value = ""
        if name == "action_checkbox":
            row_classes = ["action-checkbox"]
        boolean = getattr(attr, "boolean", False)
        if isinstance(attr, property) and hasattr(attr, "fget"):
            boolean = getattr(attr.fget, "boolean", False)
        shown = display_for_value(value, shown_empty, boolean)
        if isinstance(value, (datetime.date, datetime.time)):
            row_classes.append("nowrap")
        return wrap(shown, f' class="{" ".join(row_classes)}"', result)

    return computed


def _field(opts, name):
    """The model field a column shows, or None for a method, property or callable (as ``lookup_field`` decides)."""
    if callable(name):
        return None
    try:
        return _get_non_gfk_field(opts, name)
    except (FieldDoesNotExist, FieldIsAForeignKeyColumnName):
        return None
