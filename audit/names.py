"""A record's name as the database can say it: ``str()`` of the record as an SQL expression over its row.

Each named model says its own next to its ``__str__`` (a ``name_expression(prefix)`` classmethod, ``prefix`` the
path to the record from the rows being read, so that one record's name can use another's); Django's own models are
named here. The expression reads the record's fields by name, so it reads a history row as well as the record (the
name a deleted record had). Built for the language active when it is built, as ``str()`` reads it then.

Held to ``str()`` by tests over every record the audit trail names (``tests/audit/test_names.py``).
"""

from __future__ import annotations

import re

from django.apps import apps
from django.contrib.auth.models import Group, Permission, User
from django.db import models
from django.db.models import Case, CharField, F, Func, Value, When
from django.db.models.functions import Concat
from django.utils.formats import get_format

# Django date format characters that to_char writes alike (numbers only: month and day names would need the
# translations): j and n without a leading zero.
TO_CHAR = {"d": "DD", "j": "FMDD", "m": "MM", "n": "FMMM", "Y": "YYYY", "y": "YY"}


def to_char(path: str, pattern: str) -> Func:
    return Func(F(path), Value(pattern), function="to_char", output_field=CharField())


def iso_date(path: str) -> Func:
    """``f"{date:%Y-%m-%d}"``."""
    return to_char(path, "YYYY-MM-DD")


def formatted_date(path: str, format_name: str) -> Func | None:
    """``date_format(date, format_name)`` in the active language, or None where it writes words (month names)."""
    pattern = []
    for char in get_format(format_name):
        if char in TO_CHAR:
            pattern.append(TO_CHAR[char])
        elif re.fullmatch(r"[ /.\-:,]", char):
            pattern.append(char)
        else:
            return None
    return to_char(path, "".join(pattern))


def _user(prefix: str = "") -> models.Expression:
    return F(prefix + User.USERNAME_FIELD)


def _group(prefix: str = "") -> models.Expression:
    return F(prefix + "name")


def _permission(prefix: str = "") -> models.Expression:
    # "app | model | name": a content type's name comes from its model class, so from Python, once per installed
    # model; one whose model is gone is named by its model's name alone, as ContentType.__str__ does. By the installed
    # models rather than by the content types' rows, so the expression never changes while the process runs.
    app_label, model_name = prefix + "content_type__app_label", prefix + "content_type__model"
    types = [
        When(
            **{app_label: m._meta.app_label, model_name: m._meta.model_name},
            then=Value(f"{m._meta.app_config.verbose_name} | {m._meta.verbose_name}"),
        )
        for m in apps.get_models(include_auto_created=True, include_swapped=True)
    ]
    kind = Case(*types, default=F(prefix + "content_type__model"), output_field=CharField())
    return Concat(kind, Value(" | "), F(prefix + "name"))


# A custom user model names itself (its own name_expression).
FOREIGN = {User: _user, Group: _group, Permission: _permission}


def name_expression(model: type[models.Model], prefix: str = "") -> models.Expression | None:
    """``str()`` of a ``model`` record as SQL, or None where the database cannot say it in the active language."""
    own = getattr(model, "name_expression", None)
    if own is not None:
        return own(prefix)
    named = FOREIGN.get(model)
    return named(prefix) if named else None
