"""Checking every row of a sheet before anything is imported, with a fixed number of queries whatever its length.

Each row becomes a planned record (new, an update of the record with the same person, requirement and day, or
unchanged) or errors that name the row, the column and what to do. The model's own ``clean()`` rules apply to
every row. The plan (``plan.py``) and its digest are what the preview shows and the confirmation proves.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from partners.models import Person
from training.imports.columns import COLUMNS, FIELD_COLUMNS, column_key
from training.imports.lookups import Lookups
from training.imports.plan import NEW, UNCHANGED, UPDATE, Plan, PlannedRow, RowError, record_versions
from training.imports.reading import Sheet
from training.imports.values import parse_date, parse_version, result_words, shown
from training.models import TrainingRecord

RELATED_FIELDS = ["person", "requirement", "version", "trainer", "evaluator", "exchange"]


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
