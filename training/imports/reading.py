"""Reading a spreadsheet as people really send it, within bounds, into rows of text.

CSV in UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode text", tab-separated) or Shift-JIS/CP932 (Japanese
Excel's "CSV"), and XLSX workbooks. The format and the encoding are read from the bytes, never from the file name
or the form. Every bound is checked before the work it protects: the XLSX zip members' declared sizes before
anything is decompressed (Python's zipfile then refuses a member that expands beyond its declared size), the row
count while reading, and each cell's length before it is kept. A cell that is too long is never echoed back.
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
import zlib
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

CSV, XLSX = "csv", "xlsx"
ENCODINGS = {
    "utf-8": gettext_lazy("UTF-8"),
    "utf-8-sig": gettext_lazy("UTF-8 with BOM"),
    "utf-16": gettext_lazy("UTF-16"),
    "utf-16-le": gettext_lazy("UTF-16 (little-endian, no BOM)"),
    "utf-16-be": gettext_lazy("UTF-16 (big-endian, no BOM)"),
    "cp932": gettext_lazy("Shift-JIS (CP932)"),
    "": gettext_lazy("Excel workbook (XLSX)"),
}
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # Excel 97–2003 .xls


class Unreadable(Exception):
    """The file as a whole cannot be read; the message says why and what to do, in the user's language."""


@dataclass
class CellProblem:
    row: int
    column: str
    message: str


@dataclass
class Sheet:
    file_format: str
    encoding: str  # a key of ENCODINGS; "" for a workbook
    header: list[str]
    # (row number as the spreadsheet shows it, the header being row 1; the row's cells as text, in header order)
    rows: list[tuple[int, list[str]]]
    problems: list[CellProblem] = field(default_factory=list)
    header_row: int = 1

    @property
    def encoding_label(self) -> str:
        return str(ENCODINGS.get(self.encoding, self.encoding))


def limit_text(value: int) -> str:
    return number_format(value, force_grouping=True)


def megabytes(value: int) -> str:
    return number_format(value / (1024 * 1024), decimal_pos=1 if value % (1024 * 1024) else 0)


def read_sheet(content: bytes) -> Sheet:
    if len(content) > settings.TRAINING_IMPORT_MAX_BYTES:
        raise Unreadable(too_large_message())
    if content.startswith(ZIP_MAGIC):
        return read_xlsx(content)
    if content.startswith(OLE_MAGIC):
        raise Unreadable(
            _("This is an Excel 97–2003 workbook (.xls), which is not read: save it as .xlsx or as CSV UTF-8.")
        )
    text, encoding = decode(content)
    return read_csv(text, encoding)


def too_large_message() -> str:
    return _("The file is larger than %(limit)s MB, the limit for one import: split it into smaller files.") % {
        "limit": megabytes(settings.TRAINING_IMPORT_MAX_BYTES)
    }


def decode(content: bytes) -> tuple[str, str]:
    """The text and the encoding it was read in: a BOM decides; else UTF-16 by its zero bytes, UTF-8, Shift-JIS."""
    if content.startswith(b"\xef\xbb\xbf"):
        encodings = ["utf-8-sig"]
    elif content.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ["utf-16"]
    else:
        sample = content[:4096]
        even_zeros, odd_zeros = sample[0::2].count(0), sample[1::2].count(0)
        # ASCII text in UTF-16 without a BOM has a zero in every other byte.
        if odd_zeros > len(sample) // 4 and odd_zeros > even_zeros:
            encodings = ["utf-16-le"]
        elif even_zeros > len(sample) // 4:
            encodings = ["utf-16-be"]
        else:
            encodings = ["utf-8", "cp932"]
    for encoding in encodings:
        try:
            return content.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise Unreadable(
        _(
            "The file is neither UTF-8, UTF-16 nor Shift-JIS text. Save it from Excel as “CSV UTF-8” or as an Excel "
            "workbook (.xlsx) and upload it again."
        )
    )


def delimiter_of(first_line: str) -> str:
    """Excel writes "CSV" with commas and "Unicode text" with tabs."""
    return "\t" if first_line.count("\t") > first_line.count(",") else ","


class Rows:
    """Collects rows while checking the row and cell bounds."""

    def __init__(self):
        self.max_rows = settings.TRAINING_IMPORT_MAX_ROWS
        self.max_chars = settings.TRAINING_IMPORT_MAX_CELL_CHARS
        self.header: list[str] | None = None
        self.header_number = 0
        self.rows: list[tuple[int, list[str]]] = []
        self.problems: list[CellProblem] = []

    def add(self, number: int, cells: list[str]) -> None:
        cells = [self.bounded(number, index, cell) for index, cell in enumerate(cells)]
        if self.header is None:
            if any(cells):
                self.header, self.header_number = cells, number
            return
        if not any(cells):
            return  # blank lines between or after the data
        if len(self.rows) == self.max_rows:
            raise Unreadable(
                _(
                    "The file has more than %(limit)s rows, the limit for one import (the header not counted): "
                    "split it into smaller files."
                )
                % {"limit": limit_text(self.max_rows)}
            )
        self.rows.append((number, cells))

    def bounded(self, number: int, index: int, cell: str) -> str:
        cell = cell.strip()
        if len(cell) <= self.max_chars:
            return cell
        self.problems.append(
            CellProblem(
                number,
                self.column_name(index),
                _("the value is longer than %(limit)s characters, the limit for one cell: shorten it.")
                % {"limit": limit_text(self.max_chars)},
            )
        )
        return ""

    def column_name(self, index: int) -> str:
        if self.header is not None and index < len(self.header) and self.header[index]:
            return self.header[index]
        return _("number %(index)s") % {"index": index + 1}


def read_csv(text: str, encoding: str) -> Sheet:
    text = text.lstrip("\ufeff")
    rows = Rows()
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter_of(first_line))
    try:
        for cells in reader:
            rows.add(reader.line_num, cells)
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            raise Unreadable(
                _("Row %(row)s: a value is longer than %(limit)s characters, the limit for one cell: shorten it.")
                % {"row": reader.line_num + 1, "limit": limit_text(rows.max_chars)}
            ) from None
        raise Unreadable(
            _("Row %(row)s cannot be read as CSV: check its quotation marks, or save the file from Excel again.")
            % {"row": reader.line_num + 1}
        ) from None
    if rows.header is None:
        raise Unreadable(_("The file is empty: it needs the header row and at least one row of records."))
    return Sheet(CSV, encoding, rows.header, rows.rows, rows.problems, rows.header_number)


def read_xlsx(content: bytes) -> Sheet:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    unreadable = _(
        "The file cannot be read as an Excel workbook: open it in Excel, save it as .xlsx (or as CSV UTF-8) "
        "and upload it again."
    )
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            expanded = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError):
        raise Unreadable(unreadable) from None
    if expanded > settings.TRAINING_IMPORT_MAX_XLSX_EXPANDED_BYTES:
        raise Unreadable(
            _(
                "The workbook expands to more than %(limit)s MB when opened, the limit for one import: "
                "remove what is not needed (other sheets, images, formatting) or save it as CSV UTF-8."
            )
            % {"limit": megabytes(settings.TRAINING_IMPORT_MAX_XLSX_EXPANDED_BYTES)}
        )
    try:
        formulas, rows = scan_workbook(openpyxl, content, data_only=False)
        if formulas:
            # Formulas count only by the value Excel saved with them; none saved means none to import.
            cached = scan_workbook(openpyxl, content, data_only=True, wanted=formulas)[1]
            rows = resolve_formulas(rows, formulas, cached)
    except Unreadable:
        raise
    except (
        InvalidFileException,
        zipfile.BadZipFile,
        zlib.error,  # a damaged deflate stream
        RuntimeError,  # an encrypted member
        NotImplementedError,  # a compression method zipfile does not read
        EOFError,  # a member cut short
        KeyError,
        ValueError,
        TypeError,
        OSError,
        SyntaxError,
    ):
        # SyntaxError covers the XML parser's errors; none of it is shown, as it may quote the file.
        raise Unreadable(unreadable) from None
    if rows.header is None:
        raise Unreadable(_("The workbook's first sheet is empty: it needs the header row and at least one row."))
    return Sheet(XLSX, "", rows.header, rows.rows, rows.problems, rows.header_number)


def scan_workbook(openpyxl, content: bytes, *, data_only: bool, wanted: set | None = None):
    """The first sheet's rows as text, and where its formulas are (or, with ``wanted``, those cells' values)."""
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=data_only)
    try:
        # Read-only rows come in sheet order from row 1, missing ones as empty tuples, cells from column A.
        numbered_rows = enumerate(workbook.worksheets[0].iter_rows(), start=1)
        if wanted is not None:
            values = {}
            for number, row in numbered_rows:
                for column, cell in enumerate(row, start=1):
                    if (number, column) in wanted:
                        values[(number, column)] = cell.value
            return set(), values
        formulas: set[tuple[int, int]] = set()
        rows = Rows()
        for number, row in numbered_rows:
            cells = []
            for column, cell in enumerate(row, start=1):
                if cell.data_type == "f":
                    formulas.add((number, column))
                    cells.append(FORMULA)
                else:
                    cells.append(cell_text(cell.value))
            rows.add(number, cells)
        return formulas, rows
    finally:
        workbook.close()


FORMULA = "\x00formula"  # a placeholder no typed value can produce (NUL is not valid in XLSX text)


def resolve_formulas(rows: Rows, formulas: set, cached: dict) -> Rows:
    def resolved(number: int, index: int, cell: str) -> str:
        if cell != FORMULA:
            return cell
        value = cached.get((number, index + 1))
        if value is None:
            rows.problems.append(
                CellProblem(
                    number,
                    rows.column_name(index),
                    _(
                        "the cell holds a formula whose value was never calculated: open the file in Excel and save "
                        "it again, or paste the values in place of the formula."
                    ),
                )
            )
            return ""
        return rows.bounded(number, index, cell_text(value))

    if rows.header is not None and FORMULA in rows.header:
        rows.header = [resolved(rows.header_number, i, c) for i, c in enumerate(rows.header)]
    rows.rows = [(number, [resolved(number, i, c) for i, c in enumerate(cells)]) for number, cells in rows.rows]
    return rows


def cell_text(value) -> str:
    """A cell as the text the sheet shows: dates as YYYY-MM-DD, whole numbers without ".0"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
