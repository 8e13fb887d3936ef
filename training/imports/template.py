"""The import template, as CSV and as XLSX: the header row and one example row to overwrite."""

from __future__ import annotations

import csv
import datetime
import io

import xlsxwriter

from training.imports.columns import COLUMNS

EXAMPLE = {
    "person_email": "trainee@example.com",
    "requirement": "SOP-QA-012",
    "version": 1,
    "completed_on": datetime.date(2026, 1, 10),
    "result": "passed",
    "trainer_email": "trainer@example.com",
    "evaluator_email": "",
    "evidence": "TRN-2026-0001",
}


def template_csv() -> bytes:
    text = io.StringIO(newline="")
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerow([EXAMPLE[c].isoformat() if isinstance(EXAMPLE[c], datetime.date) else EXAMPLE[c] for c in COLUMNS])
    # With a BOM, so that Excel (Japanese Windows included) opens it as UTF-8.
    return ("\ufeff" + text.getvalue()).encode("utf-8")


def template_xlsx() -> bytes:
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True})
    sheet = workbook.add_worksheet("training records")
    bold = workbook.add_format({"bold": True})
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for column, name in enumerate(COLUMNS):
        sheet.write_string(0, column, name, bold)
        value = EXAMPLE[name]
        if isinstance(value, datetime.date):
            sheet.write_datetime(1, column, datetime.datetime.combine(value, datetime.time()), day)
        elif isinstance(value, int):
            sheet.write_number(1, column, value)
        elif value:
            sheet.write_string(1, column, value)
        sheet.set_column(column, column, 22)
    sheet.freeze_panes(1, 0)
    workbook.close()
    return output.getvalue()
