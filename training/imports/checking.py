"""Checking every row of a sheet before anything is imported, with a fixed number of queries whatever its length.

Each row becomes a planned record (new, an update of the record with the same person, requirement and day, or
unchanged) or errors that name the row, the column and what to do. The model's own ``clean()`` rules apply to
every row. The plan's digest covers what the preview shows and what the confirmation would write, so a
confirmation can prove it imports exactly the rows that were previewed.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models.functions import Lower, Upper
from django.utils import translation
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from audit.versions import versions_of
from partners.models import Person
from training.imports.reading import Sheet
from training.models import Requirement, RequirementVersion, TrainingRecord

COLUMNS = (
    "person_email",
    "requirement",
    "version",
    "completed_on",
    "result",
    "trainer_email",
    "evaluator_email",
    "evidence",
)
FIELD_COLUMNS = {
    "person": "person_email",
    "requirement": "requirement",
    "version": "version",
    "completed_on": "completed_on",
    "result": "result",
    "trainer": "trainer_email",
    "evaluator": "evaluator_email",
    "evidence": "evidence",
}
RELATED_FIELDS = ["person", "requirement", "version", "trainer", "evaluator", "exchange"]
NEW, UPDATE, UNCHANGED = "new", "update", "unchanged"
BATCH = 5_000  # values per IN (…) lookup: within every database's parameter limit
SHOWN_CHARS = 60


@dataclass
class RowError:
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        return self.render(self.column or "", self.message)

    def html(self) -> str:
        """For pages: the column's name set as code, as the sheet's header writes it in any language."""
        column = format_html("<code>{}</code>", self.column) if self.column else ""
        return mark_safe(self.render(column, conditional_escape(self.message), escape=True))  # noqa: S308

    def render(self, column: str, message: str, *, escape: bool = False) -> str:
        wrap = conditional_escape if escape else str
        if self.row and self.column:
            return wrap(_("Row %(row)s, column %(column)s: %(message)s")) % {
                "row": self.row,
                "column": column,
                "message": message,
            }
        if self.row:
            return wrap(_("Row %(row)s: %(message)s")) % {"row": self.row, "message": message}
        return message


@dataclass
class PlannedRow:
    number: int
    action: str
    values: dict[str, str]
    record: TrainingRecord
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # column, old value, new value


@dataclass
class Plan:
    rows: list[PlannedRow]
    errors: list[RowError]
    versions: dict[str, int]  # for each record the plan updates (pk as text): its version when checked

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def digest(self) -> str:
        sha = hashlib.sha256()
        for row in self.rows:
            record = row.record
            line = [
                row.number,
                row.action,
                record.pk,
                self.versions.get(str(record.pk)),
                [row.values.get(column, "") for column in COLUMNS],
                record.person_id,
                record.requirement_id,
                record.version_id,
                record.completed_on.isoformat(),
                record.result,
                record.trainer_id,
                record.evaluator_id,
                record.evidence,
            ]
            sha.update(json.dumps(line, ensure_ascii=False, separators=(",", ":")).encode() + b"\n")
        for error in self.errors:
            sha.update(f"error:{error.row}:{error.column}\n".encode())
        return sha.hexdigest()


def record_versions(pks: Iterable[int]) -> dict[str, str]:
    """Each record's version (``audit.versions``, the same the edit forms carry), looked up in batches."""
    versions = {}
    for batch in chunks(sorted(set(pks))):
        versions.update({str(pk): version for pk, version in versions_of(TrainingRecord, batch).items()})
    return versions


def chunks(values: list, size: int = BATCH) -> Iterator[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def shown(value: str) -> str:
    """A value quoted back in a message, cut short: a message never repeats a whole cell."""
    return value if len(value) <= SHOWN_CHARS else value[: SHOWN_CHARS - 1] + "…"


def column_key(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


DATE_PATTERNS = [
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?: 00:00(?::00)?)?$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})(?: 0?0:00(?::00)?)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
]


def parse_date(text: str) -> datetime.date | None:
    for pattern in DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return datetime.date(*(int(part) for part in match.groups()))
            except ValueError:
                return None
    return None


def parse_version(text: str) -> int | None:
    match = re.fullmatch(r"[vV]?\s*(\d{1,4})(?:\.0+)?", text)
    return int(match.group(1)) if match else None


def result_words() -> dict[str, str]:
    """passed/failed, and their labels in every language of the app, as people type them."""
    words = {}
    for language in ("en", "ja"):
        with translation.override(language):
            for value, label in TrainingRecord.Result.choices:
                words[str(label).lower()] = value
    return {**words, **{value: value for value in TrainingRecord.Result.values}}


class Lookups:
    """Everything the rows refer to, fetched in bulk before any row is checked."""

    def __init__(self, rows: list[dict[str, str]]):
        emails = {
            row[c].lower() for row in rows for c in ("person_email", "trainer_email", "evaluator_email") if row[c]
        }
        codes = {row["requirement"].upper() for row in rows if row["requirement"]}
        self.people: dict[str, Person] = {}
        for batch in chunks(sorted(emails)):
            for person in Person.objects.annotate(email_key=Lower("email")).filter(email_key__in=batch):
                self.people[person.email_key] = person
        self.requirements: dict[str, list[Requirement]] = defaultdict(list)
        for batch in chunks(sorted(codes)):
            for requirement in Requirement.objects.annotate(code_key=Upper("code")).filter(code_key__in=batch):
                self.requirements[requirement.code_key].append(requirement)
        requirement_ids = [r.pk for found in self.requirements.values() for r in found]
        self.versions: dict[tuple[int, int], RequirementVersion] = {}
        self.version_numbers: dict[int, list[int]] = defaultdict(list)
        for batch in chunks(requirement_ids):
            for version in RequirementVersion.objects.filter(requirement_id__in=batch).order_by("version"):
                self.versions[(version.requirement_id, version.version)] = version
                self.version_numbers[version.requirement_id].append(version.version)
        self.existing: dict[tuple[int, int, datetime.date], list[TrainingRecord]] = defaultdict(list)
        person_ids = sorted({p.pk for p in self.people.values()})
        for batch in chunks(person_ids):
            records = TrainingRecord.objects.filter(person_id__in=batch, requirement_id__in=requirement_ids)
            related = ("person", "requirement", "version", "trainer", "evaluator", "exchange")
            for record in records.select_related(*related).order_by("pk"):
                self.existing[(record.person_id, record.requirement_id, record.completed_on)].append(record)

    def requirement(self, code: str) -> Requirement | None:
        found = self.requirements.get(code.upper(), [])
        exact = [r for r in found if r.code == code]
        if exact or len(found) == 1:
            return (exact or found)[0]
        return None


def header_errors(sheet: Sheet) -> tuple[dict[int, str], list[RowError]]:
    """Column position → column name, and what is wrong with the header row."""
    positions: dict[int, str] = {}
    errors, seen, unknown = [], set(), []
    for index, name in enumerate(sheet.header):
        key = column_key(name)
        if not key:
            continue
        if key in seen:
            errors.append(
                RowError(
                    sheet.header_row,
                    None,
                    _("the column %(column)s appears twice in the header row: keep one.") % {"column": shown(key)},
                )
            )
        elif key in COLUMNS:
            positions[index] = key
        else:
            unknown.append(shown(name.strip()))
        seen.add(key)
    missing = [column for column in COLUMNS if column not in positions.values()]
    if missing:
        errors.append(
            RowError(
                sheet.header_row,
                None,
                _("the header row lacks the columns %(columns)s: use the header row of the template.")
                % {"columns": ", ".join(missing)},
            )
        )
    if unknown:
        errors.append(
            RowError(
                sheet.header_row,
                None,
                _(
                    "the header row has columns the import does not know: %(columns)s. Remove them, or name them as "
                    "in the template."
                )
                % {"columns": ", ".join(unknown)},
            )
        )
    return positions, errors


def plan_import(sheet: Sheet) -> Plan:
    positions, errors = header_errors(sheet)
    header_is_wrong = bool(errors)
    if not sheet.rows:
        errors.append(RowError(None, None, _("The file has a header row but no records below it.")))
    errors += [RowError(p.row, p.column, p.message) for p in sheet.problems]
    if header_is_wrong or not sheet.rows:
        return Plan([], errors, {})  # rows are read by their header: a wrong one would misread them
    bad_rows = {problem.row for problem in sheet.problems}
    bad_cells = {(problem.row, problem.column) for problem in sheet.problems}
    rows = []
    for number, cells in sheet.rows:
        values = {column: "" for column in COLUMNS}
        for index, cell in enumerate(cells):
            if index in positions:
                values[positions[index]] = cell
            elif cell:
                errors.append(
                    RowError(
                        number,
                        str(index + 1),
                        _("a value in a column with no header: remove it, or name the column as in the template."),
                    )
                )
                bad_rows.add(number)
        rows.append((number, values))
    lookups = Lookups([values for _number, values in rows])
    results = result_words()
    planned, first_row_of = [], {}
    for number, values in rows:
        row_errors: list[RowError] = []
        record = build_record(number, values, lookups, results, row_errors)
        if record is None or row_errors or number in bad_rows:
            # A cell already reported (too long, an uncalculated formula) is not reported again as empty.
            errors += [error for error in row_errors if (error.row, error.column) not in bad_cells]
            continue
        key = (record.person_id, record.requirement_id, record.completed_on)
        if key in first_row_of:
            errors.append(
                RowError(
                    number,
                    None,
                    _("the same person, requirement and day as row %(first)s: keep one row for each training.")
                    % {"first": first_row_of[key]},
                )
            )
            continue
        first_row_of[key] = number
        existing = lookups.existing.get(key, [])
        if len(existing) > 1:
            errors.append(
                RowError(
                    number,
                    None,
                    _(
                        "%(count)s records of this person, requirement and day exist already, so the row cannot tell "
                        "which one to update: correct them in the admin first."
                    )
                    % {"count": len(existing)},
                )
            )
            continue
        row = plan_row(number, values, record, existing[0] if existing else None)
        try:
            row.record.full_clean(exclude=RELATED_FIELDS)  # the related records were found above, in bulk
        except ValidationError as error:
            errors += validation_errors(number, error)
            continue
        planned.append(row)
    updated = [row.record.pk for row in planned if row.action == UPDATE]
    return Plan(planned, sorted(errors, key=lambda e: e.row or 0), record_versions(updated))


def build_record(number: int, values: dict[str, str], lookups: Lookups, results: dict, errors: list):
    """The row as an unsaved record, or None with ``errors`` saying why not."""

    def fail(column: str, message: str) -> None:
        errors.append(RowError(number, column, message))

    def person(column: str, required: bool) -> Person | None:
        email = values[column]
        if not email:
            if required:
                fail(column, _("empty: write the email of the person who was trained."))
            return None
        found = lookups.people.get(email.lower())
        if found is None:
            fail(
                column,
                _("no person with the email %(email)s: add the person first, or correct the email.")
                % {"email": shown(email)},
            )
        return found

    trainee = person("person_email", required=True)
    trainer = person("trainer_email", required=False)
    evaluator = person("evaluator_email", required=False)
    code = values["requirement"]
    requirement = None
    if not code:
        fail("requirement", _("empty: write the requirement's code, e.g. SOP-QA-012."))
    else:
        requirement = lookups.requirement(code)
        if requirement is None:
            fail(
                "requirement",
                _("no training requirement with the code %(code)s: check the code in the list of requirements.")
                % {"code": shown(code)},
            )
    version = None
    number_text = values["version"]
    if not number_text:
        fail("version", _("empty: write the number of the version trained on, e.g. 1."))
    elif (version_number := parse_version(number_text)) is None:
        fail(
            "version",
            _("“%(value)s” is not a version number: write the number only, e.g. 2.") % {"value": shown(number_text)},
        )
    elif requirement is not None:
        version = lookups.versions.get((requirement.pk, version_number))
        if version is None:
            known = lookups.version_numbers.get(requirement.pk, [])
            fail(
                "version",
                _("%(code)s has no version %(version)s: its versions are %(versions)s.")
                % {
                    "code": requirement.code,
                    "version": version_number,
                    "versions": ", ".join(str(n) for n in known) or "—",
                },
            )
    completed_on = None
    if not values["completed_on"]:
        fail("completed_on", _("empty: write the day the training was completed, as YYYY-MM-DD."))
    elif (completed_on := parse_date(values["completed_on"])) is None:
        fail(
            "completed_on",
            _("“%(value)s” is not a date: write it as YYYY-MM-DD, e.g. 2026-01-31.")
            % {"value": shown(values["completed_on"])},
        )
    result = results.get(values["result"].lower())
    if not values["result"]:
        fail("result", _("empty: write passed or failed."))
    elif result is None:
        fail("result", _("“%(value)s” is not a result: write passed or failed.") % {"value": shown(values["result"])})
    if errors:
        return None
    return TrainingRecord(
        person=trainee,
        requirement=requirement,
        version=version,
        completed_on=completed_on,
        result=result,
        trainer=trainer,
        evaluator=evaluator,
        evidence=values["evidence"],
    )


COMPARED = ["version_id", "result", "trainer_id", "evaluator_id", "evidence"]


def plan_row(number: int, values: dict, new: TrainingRecord, existing: TrainingRecord | None) -> PlannedRow:
    if existing is None:
        return PlannedRow(number, NEW, values, new)
    changes = [
        (FIELD_COLUMNS[name.removesuffix("_id")], sheet_value(existing, name), sheet_value(new, name))
        for name in COMPARED
        if getattr(existing, name) != getattr(new, name)
    ]
    if not changes:
        return PlannedRow(number, UNCHANGED, values, existing)
    for name in ("version", "result", "trainer", "evaluator", "evidence"):
        setattr(existing, name, getattr(new, name))
    return PlannedRow(number, UPDATE, values, existing, changes)


def sheet_value(record: TrainingRecord, name: str) -> str:
    """A field as the sheet writes it: version numbers and emails, not database ids."""
    if name == "version_id":
        return str(record.version.version)
    if name in {"trainer_id", "evaluator_id"}:
        person = getattr(record, name.removesuffix("_id"))
        return person.email if person else ""
    return getattr(record, name) or ""


def validation_errors(number: int, error: ValidationError) -> list[RowError]:
    found = []
    for name, messages in error.message_dict.items():
        column = FIELD_COLUMNS.get(name)
        found += [RowError(number, column, message) for message in messages]
    return found
