"""The import sheet's columns, as the template's header row names them, and the record fields they fill."""

from __future__ import annotations

import re

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


def column_key(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())
