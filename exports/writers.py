"""CSV, XLSX and JSON writers. Each holds one chunk of rows at a time, whatever the export's size."""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import replace

import xlsxwriter
from django.db import connection

from exports.datasets import Column
from exports.neutralise import neutralise
from exports.sources import SQL, Source, export_cursor
from exports.sql_cells import sql_cell

BOM = "\ufeff"
CHUNK = 64 * 1024


def cell(kind: str, value) -> str:
    """A value as CSV text: ISO 8601 dates, UTC timestamps with offset, formula-safe text."""
    if value is None:
        return ""
    if kind == "datetime":
        return value.astimezone(datetime.UTC).isoformat(timespec="seconds")
    if kind == "date":
        return value.isoformat()
    if kind == "bool":
        return "true" if value else "false"
    if kind == "int":
        return str(value)
    # "code" too: checking costs Python nothing measurable, and a code that broke its promise would differ from COPY's
    # bytes in the tests that compare the two paths.
    return neutralise(str(value))


# PostgreSQL's COPY (FORMAT csv) quotes a value holding the delimiter, the quote, a CR or an LF, and a row that is
# a lone "\." (it would read as end of data); rows end in LF. The Python writer quotes by the same rule, so both paths
# give the same bytes; quoting CR matters because a reader that ends a row at a bare CR (Excel does) would otherwise
# start a new row, and a new first cell, inside the value. csv.writer quotes CR only when it ends its lines with one.
NEEDS_QUOTES = re.compile(r'[,"\r\n]')
END_OF_DATA = "\\."


def csv_field(text: str) -> str:
    if NEEDS_QUOTES.search(text):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_row(fields: Sequence[str]) -> str:
    if len(fields) == 1 and fields[0] == END_OF_DATA:
        return f'"{END_OF_DATA}"\n'
    return ",".join(map(csv_field, fields)) + "\n"


def write_csv(src: Source, out) -> int:
    """Write the whole CSV (UTF-8 with BOM, COPY's quoting, LF line ends) to a binary file. Returns rows."""
    out.write((BOM + csv_row(src.headers)).encode())
    if src.copy_selects is not None:
        with src.copy_selects() as selects, export_cursor() as cursor:
            return sum(_copy(cursor, copy_statement(select, src.columns, src.copy_cells), out) for select in selects)
    kinds = [c.kind for c in src.columns]
    rows, size, lines = 0, 0, []
    for row in src.rows():
        line = csv_row([cell(kind, value) for kind, value in zip(kinds, row, strict=True)])
        lines.append(line)
        rows += 1
        size += len(line)
        if size >= CHUNK:
            out.write("".join(lines).encode())
            size, lines = 0, []
    out.write("".join(lines).encode())
    return rows


def copy_statement(select: SQL, columns: Sequence[Column], cells: frozenset[str] = frozenset()) -> str:
    """COPY … TO STDOUT of one of a dataset's SELECTs, formatting and neutralising in SQL so PostgreSQL writes final
    CSV; the columns keyed in ``cells`` the SELECT gives as final cells already (``Source.copy_cells``)."""
    inner_sql, params = select
    with connection.cursor() as cursor:
        inner = cursor.mogrify(inner_sql, params).decode()
    outer = ", ".join(
        f'sub."x{i}"' if column.key in cells else sql_cell(column.kind, f'sub."x{i}"')
        for i, column in enumerate(columns)
    )
    # The inner query's columns are renamed by position, whatever the SELECT calls them.
    names = ", ".join(f'"x{i}"' for i in range(len(columns)))
    # The inner query's values were bound by the driver (mogrify); the expressions are our own constants.
    # The header row is written before, by csv_row, in the language asked for.
    return f"COPY (SELECT {outer} FROM ({inner}) AS sub({names})) TO STDOUT WITH (FORMAT csv)"  # noqa: S608


def _copy(cursor, statement: str, out) -> int:
    cursor.cursor.copy_expert(statement, out, size=CHUNK)
    return cursor.cursor.rowcount


def write_xlsx(src: Source, out, *, tmpdir=None) -> int:
    """A real workbook: typed dates, frozen header, text never turned into a formula; constant memory.

    Constant memory means XlsxWriter keeps rows in named temporary files (in ``tmpdir``), which it removes only
    when the workbook closes: the caller removes the folder if the export stops before that.
    """
    workbook = xlsxwriter.Workbook(
        out,
        {
            "tmpdir": str(tmpdir) if tmpdir else None,
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "remove_timezone": True,
        },
    )
    sheet = workbook.add_worksheet(src.name[:31])
    header = workbook.add_format({"bold": True})
    date = workbook.add_format({"num_format": "yyyy-mm-dd"})
    stamp = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    sheet.freeze_panes(1, 0)
    for col, (column, title) in enumerate(zip(src.columns, src.headers, strict=True)):
        sheet.write_string(0, col, title, header)
        sheet.set_column(col, col, 12 if column.kind in {"int", "bool", "date"} else 24)
    rows = 0
    for rows, row in enumerate(src.rows(), start=1):
        for col, (column, value) in enumerate(zip(src.columns, row, strict=True)):
            if value is None:
                continue
            if column.kind == "datetime":
                sheet.write_datetime(rows, col, value.astimezone(datetime.UTC), stamp)
            elif column.kind == "date":
                sheet.write_datetime(rows, col, datetime.datetime.combine(value, datetime.time()), date)
            elif column.kind == "int":
                sheet.write_number(rows, col, value)
            elif column.kind == "bool":
                sheet.write_boolean(rows, col, bool(value))
            else:
                sheet.write_string(rows, col, str(value))
    workbook.close()
    return rows


def write_json(src: Source, out, meta: dict) -> int:
    """The JSON document of json_chunks into a binary file. Returns rows."""
    written = 0
    rows = src.rows

    def counted():
        nonlocal written
        for row in rows():
            written += 1
            yield row

    for chunk in json_chunks(replace(src, rows=counted), meta):
        out.write(chunk)
    return written


def json_chunks(src: Source, meta: dict) -> Iterator[bytes]:
    """Streamed JSON: {"dataset": …, "filters": …, "columns": […], "rows": [{…}, …]} one chunk at a time."""
    head = json.dumps({**meta, "columns": [c.key for c in src.columns]}, ensure_ascii=False)
    buffer = [head[:-1] + ', "rows": [']
    size, first = 0, True
    keys = [c.key for c in src.columns]
    kinds = [c.kind for c in src.columns]
    for row in src.rows():
        record = {key: _json_value(kind, value) for key, kind, value in zip(keys, kinds, row, strict=True)}
        text = ("" if first else ",") + json.dumps(record, ensure_ascii=False)
        first = False
        buffer.append(text)
        size += len(text)
        if size >= CHUNK:
            yield "".join(buffer).encode()
            buffer, size = [], 0
    buffer.append("]}")
    yield "".join(buffer).encode()


def _json_value(kind: str, value):
    if value is None or kind in {"int", "bool"}:
        return value
    if kind == "datetime":
        return value.astimezone(datetime.UTC).isoformat(timespec="seconds")
    if kind == "date":
        return value.isoformat()
    return str(value)
