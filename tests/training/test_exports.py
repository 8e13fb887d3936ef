from __future__ import annotations

import csv
import datetime
import io

from django.urls import reverse

from tests.training.test_status import requirement, trained, version

D = datetime.date


def read(response) -> list[dict]:
    data = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.DictReader(io.StringIO(data[3:].decode("utf-8"))))


def test_training_records_export(auditor_client, alliance):
    gowning = requirement("SOP-GOWN-B")
    trained(alliance.medinet_person, gowning, D(2026, 1, 10), evidence="=cmd|calc", trainer=alliance.medinet_supervisor)
    rows = read(auditor_client.get(reverse("exports:download", args=["training-records", "csv"])))
    assert len(rows) == 1
    row = rows[0]
    assert (row["Person"], row["Requirement"], row["Version trained on"], row["Completed on"]) == (
        "Takumi Yamada",
        "SOP-GOWN-B",
        "1",
        "2026-01-10",
    )
    assert row["Trainer"] == "Mio Hayashi"
    assert row["Evidence reference"] == "'=cmd|calc"


def test_qualification_status_export_as_of_a_date(auditor_client, alliance):
    gowning = requirement("SOP-GOWN-B", validity=None)
    trained(alliance.medinet_person, gowning, D(2025, 3, 1))
    version(gowning, 2, D(2026, 1, 15))
    url = reverse("exports:download", args=["qualification-status", "csv"])
    before = {
        r["Person"]: r for r in read(auditor_client.get(url, {"as_of": "2026-01-14", "site": alliance.shinagawa.pk}))
    }
    after = {
        r["Person"]: r for r in read(auditor_client.get(url, {"as_of": "2026-01-15", "site": alliance.shinagawa.pk}))
    }
    assert before["Takumi Yamada"]["Status"] == "current"
    assert (after["Takumi Yamada"]["Status"], after["Takumi Yamada"]["Version in effect"]) == ("superseded", "2")
    assert after["Takumi Yamada"]["As of"] == "2026-01-15"
    assert set(before) == {"Takumi Yamada"}  # only people based at the site
