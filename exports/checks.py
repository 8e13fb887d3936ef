"""`migrate` and `check --database`: the exports' SQL needs a UTF-8 PostgreSQL database."""

from __future__ import annotations

from django.core.checks import Error, Tags, register
from django.db import connections


def database_encoding(alias: str) -> str:
    with connections[alias].cursor() as cursor:
        cursor.execute("SHOW server_encoding")
        return cursor.fetchone()[0]


@register(Tags.database)
def database_is_utf8(app_configs, databases=None, **kwargs) -> list[Error]:
    # The formula check of COPY exports reads a cell's first character with ascii(), which gives its code point only
    # in UTF-8 and fails on non-ASCII text in the other multibyte encodings (a Japanese name in EUC_JP, say).
    errors = []
    for alias in databases or []:
        if connections[alias].vendor != "postgresql":
            continue
        encoding = database_encoding(alias)
        if encoding.upper().replace("-", "") != "UTF8":
            errors.append(
                Error(
                    f"The database {alias!r} is encoded in {encoding}; the exports need UTF-8.",
                    hint="Create it with ENCODING 'UTF8' (createdb -E UTF8 -T template0) and restore the data into it.",
                    id="exports.E001",
                )
            )
    return errors
