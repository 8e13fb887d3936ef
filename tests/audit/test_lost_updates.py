"""Two people edit the same record: a save made on a form opened before a colleague's save is refused, never lost."""

from __future__ import annotations

import datetime
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from audit.forms import VERSION_FIELD, VersionedInlineForm, VersionedInlineFormSet
from audit.versions import check_version, version_of
from milestones.models import Milestone
from partners.models import Exchange
from tests.factories import (
    ExchangeFactory,
    MilestoneFactory,
    RequirementVersionFactory,
    TrainingRecordFactory,
    UserFactory,
)
from training.models import Requirement, RequirementVersion

STALE = "since you opened this form: reload it to see their changes, then apply yours again."
INVALID = "This form does not carry a valid version of the record it edits"


class FormValues(HTMLParser):
    """What a browser sends back from one form of a page, untouched."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id, self.inside = form_id, False
        self.data: dict[str, list[str]] = defaultdict(list)
        self.select: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        elif not self.inside:
            return
        elif tag == "input" and attrs.get("name"):
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "file", "image"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.data[attrs["name"]].append(attrs.get("value") or ("on" if kind in ("checkbox", "radio") else ""))
        elif tag == "select":
            self.select = attrs.get("name")
        elif tag == "option" and self.select and "selected" in attrs:
            self.data[self.select].append(attrs.get("value", ""))
        elif tag == "textarea":
            self.textarea = attrs.get("name")
            self.data[self.textarea].append("")

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.inside and self.textarea:
            self.data[self.textarea][-1] += data


def open_form(client: Client, record) -> dict:
    """Open a record's admin change form, as a person would, and return what saving it unchanged would send."""
    opts = record._meta
    response = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk]))
    assert response.status_code == 200
    parser = FormValues(f"{opts.model_name}_form")
    parser.feed(response.text)
    # Browsers drop the newline that opens a textarea's content.
    return {name: values if len(values) > 1 else values[0].removeprefix("\n") for name, values in parser.data.items()}


def save(client: Client, record, data: dict, **edits):
    opts = record._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk])
    return client.post(url, {**data, **edits})


def person_client(username: str, full_name: str, role: str) -> Client:
    """A browser signed in as a named person in a role (a persona of tests/conftest.py), or as an administrator."""
    first, last = full_name.split()
    if role == "admin":
        user = UserFactory(username=username, first_name=first, last_name=last, is_superuser=True)
    else:
        user = UserFactory(username=username, first_name=first, last_name=last, role=role)
    client = Client()
    client.force_login(user)
    return client


@dataclass
class Case:
    record: object
    role: str
    first_edit: dict  # what the first user changes
    second_edit: dict  # the colleague's unrelated change
    shown: str  # how the message describes the first user's change
    read: str  # the field the first user changed, as read back from the database
    expected: object


@pytest.fixture
def exchange_case(alliance) -> Case:
    exchange = ExchangeFactory(
        person=alliance.agc_person,
        partnership=alliance.partnership,
        host_company=alliance.medinet,
        host_site=alliance.shinagawa,
    )
    return Case(
        record=exchange,
        role="Staff",
        first_edit={"planned_end": "2025-04-30"},
        second_edit={"objectives": "Shadow the QC team on release testing."},
        shown="Planned end (2025-03-28 → 2025-04-30)",
        read="planned_end",
        expected=datetime.date(2025, 4, 30),
    )


@pytest.fixture
def milestone_case(alliance) -> Case:
    milestone = MilestoneFactory(
        partnership=alliance.partnership, title="Yokohama launch", forecast_date=datetime.date(2026, 7, 31)
    )
    return Case(
        record=milestone,
        role="Manager",
        first_edit={"forecast_date": "2026-09-30"},
        second_edit={"description": "Adds the QC release step."},
        shown="Forecast date (2026-07-31 → 2026-09-30)",
        read="forecast_date",
        expected=datetime.date(2026, 9, 30),
    )


@pytest.fixture
def training_case(alliance) -> Case:
    record = TrainingRecordFactory(person=alliance.medinet_person)
    return Case(
        record=record,
        role="Staff",
        first_edit={"completed_on": "2025-02-21"},
        second_edit={"evidence": "TF-2025-014"},
        shown="Completed on (2025-02-14 → 2025-02-21)",
        read="completed_on",
        expected=datetime.date(2025, 2, 21),
    )


CASES = ["exchange_case", "milestone_case", "training_case"]


@pytest.mark.parametrize("case_name", CASES)
def test_a_save_on_a_form_opened_before_a_colleagues_save_is_refused(db, request, case_name):
    case: Case = request.getfixturevalue(case_name)
    record = case.record
    mio = person_client("mio", "Mio Hayashi", case.role)
    kenji = person_client("kenji", "Kenji Mori", case.role)
    mio_form, kenji_form = open_form(mio, record), open_form(kenji, record)

    first = save(mio, record, mio_form, **case.first_edit, change_reason="New plan from the steering committee")
    assert first.status_code == 302
    second = save(kenji, record, kenji_form, **case.second_edit, change_reason="Clarified after the site visit")

    assert second.status_code == 200
    assert "Mio Hayashi changed" in second.text and case.shown in second.text and STALE in second.text
    # Kenji's input is still in the form he gets back, ready to apply again.
    (changed, typed), *_ = case.second_edit.items()
    assert second.context["adminform"].form[changed].value() == typed
    assert typed in second.text
    record.refresh_from_db()
    assert getattr(record, case.read) == case.expected
    assert getattr(record, changed) != typed
    assert record.history.count() == 2
    assert record.history.latest().history_user.username == "mio"


@pytest.mark.parametrize("case_name", CASES)
def test_a_save_on_the_current_version_goes_through(db, request, case_name):
    case: Case = request.getfixturevalue(case_name)
    record = case.record
    mio = person_client("mio", "Mio Hayashi", case.role)
    kenji = person_client("kenji", "Kenji Mori", case.role)
    save(mio, record, open_form(mio, record), **case.first_edit, change_reason="New plan agreed")

    reloaded = save(kenji, record, open_form(kenji, record), **case.second_edit, change_reason="Clarified")

    assert reloaded.status_code == 302
    record.refresh_from_db()
    (changed, typed), *_ = case.second_edit.items()
    assert getattr(record, case.read) == case.expected and getattr(record, changed) == typed
    assert record.history.count() == 3


def test_the_refusal_speaks_the_users_language(milestone_case):
    record = milestone_case.record
    mio = person_client("mio", "Mio Hayashi", "Manager")
    kenji = person_client("kenji", "Kenji Mori", "Manager")
    kenji_form = open_form(kenji, record)
    save(mio, record, open_form(mio, record), forecast_date="2026-09-30", change_reason="New plan agreed")

    kenji.cookies["django_language"] = "ja"
    refused = save(kenji, record, kenji_form, description="QCリリース手順を追加", change_reason="現地確認後に明確化")

    assert refused.status_code == 200
    assert "このフォームを開いた後に、Mio Hayashi が " in refused.text
    assert "予測日（2026-07-31 → 2026-09-30） を変更しました。再読み込みして" in refused.text
    assert Milestone.objects.get(pk=record.pk).description == ""


def test_every_save_since_is_named_newest_last(exchange_case):
    exchange = exchange_case.record
    mio = person_client("mio", "Mio Hayashi", "Staff")
    kenji = person_client("kenji", "Kenji Mori", "Staff")
    haruto = person_client("haruto", "Haruto Sato", "Staff")
    kenji_form = open_form(kenji, exchange)
    save(mio, exchange, open_form(mio, exchange), planned_end="2025-04-30", change_reason="Extended")
    save(haruto, exchange, open_form(haruto, exchange), status="cancelled", change_reason="Host not ready")

    refused = save(kenji, exchange, kenji_form, objectives="Shadow QC.", change_reason="Clarified")

    text = refused.text
    assert text.index("Mio Hayashi changed Planned end") < text.index(
        "Haruto Sato changed Status (Planned → Cancelled)"
    )
    assert Exchange.objects.get(pk=exchange.pk).status == Exchange.Status.CANCELLED


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda data, other: data.pop(VERSION_FIELD), id="missing"),
        pytest.param(lambda data, other: data.update({VERSION_FIELD: ""}), id="empty"),
        pytest.param(lambda data, other: data.update({VERSION_FIELD: "latest"}), id="malformed"),
        pytest.param(lambda data, other: data.update({VERSION_FIELD: "99999-0123456789abcdef"}), id="never-existed"),
        pytest.param(lambda data, other: data.update({VERSION_FIELD: version_of(Exchange, other.pk)}), id="another"),
    ],
)
def test_a_change_post_without_a_valid_version_is_refused_with_a_clear_message(exchange_case, alliance, tamper):
    exchange = exchange_case.record
    other = ExchangeFactory(
        person=alliance.medinet_person,
        partnership=alliance.partnership,
        host_company=alliance.agc_bio,
    )
    staff = person_client("mio", "Mio Hayashi", "Staff")
    data = open_form(staff, exchange)
    tamper(data, other)

    response = save(staff, exchange, data, planned_end="2025-04-30", change_reason="Extended")

    assert response.status_code == 200
    assert INVALID in response.text
    exchange.refresh_from_db()
    assert exchange.planned_end == datetime.date(2025, 3, 28)
    assert exchange.history.count() == 1


def test_adding_a_record_needs_no_version(staff_client, alliance):
    from tests.partners.test_exchange_admin import ADD_URL, form_data

    assert staff_client.post(ADD_URL, form_data(alliance)).status_code == 302
    assert Exchange.objects.count() == 1


@pytest.fixture
def requirement(db) -> Requirement:
    first = RequirementVersionFactory(version=1, effective_from=datetime.date(2024, 1, 1))
    RequirementVersionFactory(requirement=first.requirement, version=2, effective_from=datetime.date(2025, 1, 6))
    return first.requirement


def test_a_stale_requirement_form_cannot_overwrite_a_version_changed_since(requirement):
    admin_a = person_client("mio", "Mio Hayashi", "admin")
    admin_b = person_client("kenji", "Kenji Mori", "admin")
    second = requirement.versions.get(version=2)
    stale_page = open_form(admin_b, requirement)

    # Mio moves version 2's date in its own admin page: the requirement itself is not saved.
    moved = save(
        admin_a,
        second,
        open_form(admin_a, second),
        effective_from="2025-02-03",
        change_reason="Delayed by the QA review",
    )
    assert moved.status_code == 302
    refused = save(
        admin_b,
        requirement,
        stale_page,
        title="Aseptic gowning (Grade A)",
        change_reason="Renamed after the SOP update",
    )

    assert refused.status_code == 200
    assert "Mio Hayashi changed Effective from (2025-01-06 → 2025-02-03)" in refused.text
    assert RequirementVersion.objects.get(pk=second.pk).effective_from == datetime.date(2025, 2, 3)
    assert Requirement.objects.get(pk=requirement.pk).title == requirement.title
    assert requirement.history.count() == 1


def test_a_stale_requirement_form_cannot_delete_a_version_changed_since(requirement):
    admin_a = person_client("mio", "Mio Hayashi", "admin")
    admin_b = person_client("kenji", "Kenji Mori", "admin")
    second = requirement.versions.get(version=2)
    stale_page = open_form(admin_b, requirement)
    index = next(k for k, v in stale_page.items() if k.endswith("-id") and v == str(second.pk)).removesuffix("-id")

    save(
        admin_a,
        second,
        open_form(admin_a, second),
        effective_from="2025-02-03",
        change_reason="Delayed by the QA review",
    )
    refused = save(admin_b, requirement, stale_page, **{f"{index}-DELETE": "on"}, change_reason="Withdrawn")

    assert refused.status_code == 200
    assert "Mio Hayashi changed Effective from" in refused.text
    assert RequirementVersion.objects.filter(pk=second.pk).exists()


def test_a_version_saved_again_unchanged_since_does_not_block_the_requirement_form(requirement):
    admin_a = person_client("mio", "Mio Hayashi", "admin")
    admin_b = person_client("kenji", "Kenji Mori", "admin")
    second = requirement.versions.get(version=2)
    page = open_form(admin_b, requirement)
    resaved = save(admin_a, second, open_form(admin_a, second), change_reason="Checked against the SOP index")
    assert resaved.status_code == 302 and second.history.count() == 2

    renamed = save(
        admin_b, requirement, page, title="Aseptic gowning (Grade A)", change_reason="Renamed after the SOP update"
    )

    assert renamed.status_code == 302
    assert Requirement.objects.get(pk=requirement.pk).title == "Aseptic gowning (Grade A)"
    assert second.history.count() == 2  # the untouched row was not written again


def test_a_requirement_form_saves_its_versions_when_nobody_changed_them(requirement):
    admin_a = person_client("mio", "Mio Hayashi", "admin")
    second = requirement.versions.get(version=2)
    page = open_form(admin_a, requirement)
    index = next(k for k, v in page.items() if k.endswith("-id") and v == str(second.pk)).removesuffix("-id")

    saved = save(
        admin_a,
        requirement,
        page,
        **{f"{index}-effective_from": "2025-02-03"},
        change_reason="Delayed by the QA review",
    )

    assert saved.status_code == 302
    assert RequirementVersion.objects.get(pk=second.pk).effective_from == datetime.date(2025, 2, 3)


def test_every_inline_of_an_audited_model_carries_its_rows_versions():
    inlines = [
        inline
        for model_admin in admin.site._registry.values()
        for inline in model_admin.inlines
        if hasattr(inline.model, "history")
    ]
    assert inlines  # the requirement's versions, at least
    for inline in inlines:
        assert issubclass(inline.form, VersionedInlineForm), inline
        assert issubclass(inline.formset, VersionedInlineFormSet), inline


@pytest.mark.skipif(connection.vendor != "postgresql", reason="on SQLite, the database's write lock serialises saves")
def test_two_simultaneous_saves_on_the_same_version_cannot_both_pass(committed_db, alliance):
    exchange = ExchangeFactory(
        person=alliance.agc_person, partnership=alliance.partnership, host_company=alliance.medinet
    )
    kenji = person_client("kenji", "Kenji Mori", "Staff")
    kenji_form = open_form(kenji, exchange)
    outcome: dict = {}

    def kenjis_save():
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                outcome["pid"] = cursor.fetchone()[0]
            outcome["response"] = save(kenji, exchange, kenji_form, objectives="Shadow QC.", change_reason="Clarified")
        finally:
            connection.close()

    kenjis = threading.Thread(target=kenjis_save)
    # Another save on the same version keeps its transaction open until Kenji's request has either finished or
    # waits on one of its locks: so Kenji's check runs while that save is made but not yet committed.
    with transaction.atomic():
        check_version(Exchange, exchange.pk, kenji_form[VERSION_FIELD])
        exchange.planned_end = datetime.date(2025, 4, 30)
        exchange._change_reason = "Extended"
        exchange.save()
        kenjis.start()
        deadline = time.monotonic() + 60
        while kenjis.is_alive() and not _waits_on_a_lock(outcome.get("pid")):
            assert time.monotonic() < deadline, "Kenji's save neither finished nor waited"
            time.sleep(0.01)
    kenjis.join()

    assert outcome["response"].status_code == 200
    assert "system changed Planned end (2025-03-28 → 2025-04-30)" in outcome["response"].text
    exchange.refresh_from_db()
    assert exchange.planned_end == datetime.date(2025, 4, 30) and exchange.objectives != "Shadow QC."
    assert exchange.history.count() == 2


def _waits_on_a_lock(pid) -> bool:
    if pid is None:
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT cardinality(pg_blocking_pids(%s)) > 0", [pid])
        return cursor.fetchone()[0]
