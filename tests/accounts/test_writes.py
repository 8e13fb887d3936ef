"""Who may change what: every URL that accepts a POST × every persona, from the same ROLE_RIGHTS as the reads.

A refused write answers 403 (anonymous visitors: their login page) and leaves the database as it was: the
record unchanged and no history row in any chained table. An allowed write saves (302), changes the record
and, for an audited record, adds to its history. The allowed writes prove that each POST is a valid one,
so a refusal cannot pass for a form error. Forms are posted as the page renders them (``form_values``).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, replace

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, models, transaction
from django.test import Client
from django.urls import reverse
from simple_history.exceptions import NotHistoricalModelError
from simple_history.utils import get_history_model_for_model

from accounts.models import ApiToken, CalendarToken, Profile
from accounts.tokens import token_issue
from audit.forms import REASON_FIELD
from audit.verify import chained_models
from audit.versions import version_of
from exports.models import ExportJob
from milestones.models import Milestone
from partners.models import Capability
from signatures.models import Signature
from tests.accounts.test_access import (
    BAD_REQUEST,
    DENIED,
    INSIDE,
    NOT_FOUND,
    OK,
    ROLE_RIGHTS,
    TABLE,
    TO_LOGIN,
    UNAUTHORIZED,
    UNAVAILABLE,
    Expect,
    admin_only,
    all_url_names,
    check,
    everyone,
    url_for,
)
from tests.conftest import PERSONAS, login_as
from tests.factories import (
    CompanyFactory,
    ExchangeFactory,
    MilestoneFactory,
    PartnershipFactory,
    PersonFactory,
    SiteFactory,
)
from tests.html_forms import form_values
from tests.scheduling import heavy
from training.imports.checking import plan_import
from training.imports.reading import read_sheet
from training.imports.services import remember_preview, upload_store
from training.models import Curriculum, ImportUpload, Requirement, RequirementVersion, TrainingRecord

User = get_user_model()
WROTE = "wrote"  # 302 (or 303), the record changed, and an audited record's history grew
CREATED = "created"  # the API's 201, with the same proof as WROTE
SHOWN = "shown"  # 200 showing what was written (a new token's secret, shown once), with the same proof
SAVED_STATUS = {WROTE: (302, 303), CREATED: (201,), SHOWN: (200,)}
PASSWORD = "correct-horse-battery"  # every test user's (tests/factories.py)
NEW_PASSWORD = "a-new-and-longer-passphrase-2025"


def granted_to(label: str, right: str, outcome) -> Expect:
    """``outcome`` for the roles ROLE_RIGHTS gives ``right`` on ``label`` (and the administrator), else 403."""
    return Expect(TO_LOGIN, *(outcome if right in rights else DENIED for rights in ROLE_RIGHTS[label]), outcome)


def model_writes(label: str) -> dict[str, Expect]:
    prefix = "admin:" + label.replace(".", "_")
    return {
        f"{prefix}_add": granted_to(label, "a", WROTE),
        f"{prefix}_change": granted_to(label, "c", WROTE),
        f"{prefix}_delete": granted_to(label, "d", WROTE),
        # Bulk delete is switched off for audited records (each deletion needs its reason): the list shows again.
        f"{prefix}_changelist": TABLE[f"{prefix}_changelist"],
        f"{prefix}_history": TABLE[f"{prefix}_history"],
    }


WRITES: dict[str, Expect] = {
    # Pages that only read answer a POST as they answer a GET, and write nothing.
    **{name: TABLE[name] for name in ("admin:index", "admin:app_list", "admin:view_on_site")},
    "login": Expect(WROTE, INSIDE, INSIDE, INSIDE, INSIDE),  # a new session; the signed-in are sent on
    "admin:login": everyone(WROTE, anonymous=WROTE),  # the admin signs in whoever posts valid credentials
    "logout": everyone(WROTE),  # the session ends
    # Starting a sign-in through a provider reads its discovery document first; the tests' provider is not there.
    "openid_connect_login": everyone(UNAVAILABLE, anonymous=UNAVAILABLE),
    "openid_connect_callback": everyone(BAD_REQUEST, anonymous=BAD_REQUEST),  # no sign-in in progress
    "admin:logout": everyone(WROTE),
    "admin:password_change": everyone(WROTE),  # one's own password
    "accounts:language": everyone(WROTE, anonymous=INSIDE),  # a visitor's choice lives in a cookie only
    "accounts:preferences": everyone(WROTE),
    "accounts:regenerate_calendar_token": granted_to("milestones.milestone", "v", WROTE),
    "signatures:sign": Expect(TO_LOGIN, DENIED, WROTE, DENIED, DENIED),  # a signature, with the password
    "accounts:api_token_create": everyone(SHOWN),
    "accounts:api_token_revoke": everyone(NOT_FOUND),  # someone else's token (one's own: tests/api/test_tokens.py)
    # The API answers a session as it answers a token: 401 without one, 403 without the role's add permission.
    **{
        f"api:{name}-list": replace(granted_to(label, "a", CREATED), anonymous=UNAUTHORIZED)
        for name, label in (("exchanges", "partners.exchange"), ("training-records", "training.trainingrecord"))
    },
    "admin:training_trainingrecord_import": granted_to("training.trainingrecord", "a", OK),  # a preview: no write
    "admin:training_trainingrecord_import_confirm": granted_to("training.trainingrecord", "a", WROTE),
    "admin:training_trainingrecord_import_cancel": granted_to("training.trainingrecord", "a", WROTE),
    "admin:auth_user_password_change": admin_only(WROTE),
    "exports:jobs": Expect(TO_LOGIN, DENIED, WROTE, WROTE, WROTE),  # asks for a job (303 to its page)
    **{
        f"admin:auth_{model}_{view}": admin_only(WROTE)
        if view in ("add", "change")
        else TABLE[f"admin:auth_{model}_{view}"]
        for model in ("user", "group")
        for view in ("add", "change", "delete", "changelist", "history")
    },
    **{
        f"admin:axes_{model}_{view}": outcome
        for model in ("accessattempt", "accesslog", "accessfailurelog")
        for view, outcome in {
            "add": admin_only(DENIED),
            "change": admin_only(INSIDE),  # every field is read-only: the save changes nothing
            "delete": admin_only(WROTE),  # deleting an attempt lifts a lockout
            "changelist": admin_only(WROTE),  # ... and so does the bulk delete
            "history": TABLE[f"admin:axes_{model}_history"],
        }.items()
    },
}
for _label in ROLE_RIGHTS:
    WRITES.update(model_writes(_label))
# Nobody, administrators included, adds, edits or deletes the record of an import: confirming an import writes it.
WRITES.update({f"admin:training_trainingimport_{view}": everyone(DENIED) for view in ("add", "change", "delete")})
WRITES.update(
    {f"admin:governance_{model}_delete": everyone(DENIED) for model in ("meeting", "decision", "action", "risk")}
)
# Tokens are issued on the preferences page and never deleted; administrators revoke them (a change).
WRITES.update({f"admin:accounts_apitoken_{view}": everyone(DENIED) for view in ("add", "delete")})


def test_every_url_that_accepts_a_post_is_in_the_write_table(admin_client, world):
    """A new form or POST view must be added to WRITES; every other URL refuses a POST with 405."""
    assert WRITES.keys() - all_url_names() == set()
    accepting = []
    for name in sorted(all_url_names() - WRITES.keys()):
        with rolled_back():
            status = admin_client.post(url_for(name, world)).status_code
        if status != 405:
            accepting.append(f"{name}: {status}")
    assert accepting == []


def test_every_admin_add_change_and_delete_page_is_in_the_write_table():
    pages = {
        name for name in all_url_names() if name.startswith("admin:") and name.endswith(("_add", "_change", "_delete"))
    }
    assert pages - WRITES.keys() == set()


@heavy("write-table")
def test_write_table(world, spares):
    """Every persona in one test: each attempt is rolled back, so every persona posts to the same records, and the
    forms the administrator's pages render are fetched once for all five (``rendered``)."""
    # The accounts each attempt signs in with, and their sessions, made once here rather than inside each of the
    # hundreds of rolled-back attempts: an attempt that ends or renews its session changes nothing the next one sees.
    world["sessions"] = {
        persona: login_as(Client(), persona).cookies[settings.SESSION_COOKIE_NAME].value
        for persona in PERSONAS
        if persona != "anonymous"
    }
    world["forms"] = {}
    failures = []
    for persona in PERSONAS:
        for name, expect in sorted(WRITES.items()):
            expected = getattr(expect, persona)
            try:
                with rolled_back():
                    problem = attempt(name, expected, persona, world, spares)
            except Exception as error:  # a crash is one more line in the list, not the end of it
                problem = f"raised {error!r}"
            if problem:
                failures.append(f"{persona}, {name}: expected {expected}, {problem}")
    assert failures == []


# --- Sending one POST and judging what it did ---------------------------------------------------------


@dataclass
class Post:
    url: str
    data: dict
    state: Callable[[], object]  # what an allowed POST changes
    audited: type[models.Model] | None = None  # whose history an allowed POST extends
    content_type: str | None = None  # the API's JSON; forms otherwise


def attempt(name: str, expected, persona: str, world, spares) -> str:
    post = post_for(name, persona, world, spares)
    client = signed_in(persona, world)
    before, history_before = post.state(), history_counts()
    if post.content_type:
        response = client.post(post.url, post.data, content_type=post.content_type)
    else:
        response = client.post(post.url, post.data)
    after, history_after = post.state(), history_counts()
    got = f"got {response.status_code} {response.get('Location', '')}".rstrip()
    if expected in SAVED_STATUS:
        if response.status_code not in SAVED_STATUS[expected]:
            return f"{got} (a refusal or a form error, not a save){form_errors(response)}"
        if after == before:
            return f"{got} but nothing changed"
        table = history_table(post.audited)
        if table and history_after[table] <= history_before[table]:
            return f"{got} but no history row in {table}"
        return ""
    try:
        check(response, expected, name, world)
    except AssertionError:
        return got
    if after != before:
        return f"{got} but the record changed"
    moved = {table for table, count in history_after.items() if history_before[table] != count}
    return f"{got} but history rows were written in {sorted(moved)}" if moved else ""


@contextmanager
def rolled_back():
    """Each POST runs in its own savepoint, undone afterwards, so no attempt changes what the next one sees."""
    with transaction.atomic():
        try:
            yield
        finally:
            transaction.set_rollback(True)


def form_errors(response) -> str:
    context = response.context or {}
    for key in ("adminform", "form"):
        form = getattr(context.get(key), "form", context.get(key))
        if form is not None and form.errors:
            return f": {form.errors.get_json_data()}"
    return ""


def history_counts() -> dict[str, int]:
    """Rows in every history table, in one query (it runs twice for each of hundreds of attempts)."""
    tables = [model._meta.db_table for model in chained_models()]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(table)})" for table in tables))
        return dict(zip(tables, cursor.fetchone(), strict=True))


def history_table(model: type[models.Model] | None) -> str | None:
    try:
        return get_history_model_for_model(model)._meta.db_table if model else None
    except NotHistoricalModelError:
        return None


def rows(model: type[models.Model], **lookup) -> Callable[[], list[dict]]:
    return lambda: list(model._default_manager.filter(**lookup).order_by("pk").values())


def session_keys() -> set[str]:
    return set(Session.objects.values_list("session_key", flat=True))


def signed_in(persona: str, world) -> Client:
    """A new client in the persona's session of this test (test_write_table), or signed in as nobody."""
    client = Client()
    if persona != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = world["sessions"][persona]
    return client


def rendered(url: str, form_id: str, world) -> dict[str, list[str]]:
    """The form as the administrator's page renders it: every field, hidden ones and inline rows included.

    Nothing when even the administrator has no such form (nobody adds a login attempt). Fetched once a test: every
    attempt is rolled back, so the page renders the same form for each persona.
    """
    if (url, form_id) not in world["forms"]:
        response = signed_in("admin", world).get(url)
        world["forms"][url, form_id] = form_values(response.text, form_id) if response.status_code == 200 else {}
    return world["forms"][url, form_id]


# --- What each POST sends ----------------------------------------------------------------------------

REASON = {REASON_FIELD: "Corrected after review"}


def add_values(world) -> dict[str, dict]:
    """What the administrator types into each add page (the rest is what the page already holds)."""
    objects = world["objects"]
    agc, partnership = objects["partners.company"], objects["partners.partnership"]
    medinet = world["alliance"].medinet
    requirement, version = objects["training.requirement"], objects["training.requirementversion"]
    return {
        "partners.company": {"name": "Kobe Cell Works", "short_name": "KCW", "city": "Kobe", "country": "Japan"},
        "partners.partnership": {
            "name": "Kobe alliance",
            "party_companies": [agc.pk, medinet.pk],
            "scope": "Cell banking.",
        },
        "partners.capability": {"name": "Cell banking", "code": "cell-banking"},
        "partners.site": {"company": agc.pk, "name": "Kobe plant", "city": "Kobe", "country": "Japan"},
        "partners.person": {"name": "Aoi Mori", "employer": medinet.pk, "function": "quality_assurance"},
        "partners.exchange": {
            "person": world["alliance"].medinet_person.pk,
            "partnership": partnership.pk,
            "host_company": agc.pk,
            "purpose": "training",
            "function_area": "manufacturing",
            "planned_start": "2025-04-07",
            "planned_end": "2025-06-27",
        },
        "milestones.milestone": {"partnership": partnership.pk, "title": "Kobe launch", "baseline_date": "2026-09-30"},
        "training.requirement": {
            "code": "SOP-QC-001",
            "title": "Sterility testing",
            "validity_months": "24",
            "versions-0-version": "1",
            "versions-0-effective_from": "2025-01-01",
        },
        "training.requirementversion": {"requirement": requirement.pk, "version": "2", "effective_from": "2025-07-01"},
        "training.curriculum": {
            "name": "Quality control",
            "function": "quality_control",
            "requirements": [requirement.pk],
        },
        "training.trainingrecord": {
            "person": world["alliance"].agc_person.pk,
            "requirement": requirement.pk,
            "version": version.pk,
            "completed_on": "2025-07-01",
        },
        "auth.user": {
            "username": "newcomer",
            "usable_password": "true",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
        "auth.group": {"name": "Visitors"},
        "governance.meeting": {
            "partnership": partnership.pk,
            "kind": "jsc",
            "held_on": "2026-05-12",
            "title": "Second joint steering committee",
            "attendees": [world["alliance"].agc_person.pk, world["alliance"].medinet_person.pk],
        },
        "governance.decision": {
            "partnership": partnership.pk,
            "body": "jsc",
            "title": "Second shift at Yokohama",
            "text": "Start a second shift.",
            "status": "proposed",
        },
        "governance.action": {
            "partnership": partnership.pk,
            "title": "Draft the shift plan",
            "owner": world["alliance"].agc_person.pk,
            "due_on": "2026-06-30",
            "status": "open",
        },
        "governance.risk": {
            "partnership": partnership.pk,
            "title": "Viral vector supply",
            "category": "supply",
            "likelihood": "3",
            "impact": "4",
            "owner": world["alliance"].agc_person.pk,
            "status": "open",
            "review_on": "2026-07-31",
        },
    }


# One visible change per record type; records without one (the read-only lockout log) are posted as shown.
CHANGES = {
    "partners.company": {"city": "Kawasaki"},
    "partners.partnership": {"scope": "Exchange, train and co-manufacture."},
    "partners.capability": {"name": "Process development and scale-up"},
    "partners.site": {"city": "Kawasaki"},
    "partners.person": {"job_title": "QA lead"},
    "partners.exchange": {"objectives": "Learn the aseptic filling line."},
    "milestones.milestone": {"title": "Yokohama launch (revised)"},
    "training.requirement": {"title": "Grade B gowning, revised"},
    "training.requirementversion": {"effective_from": "2024-02-01"},
    "training.curriculum": {"name": "Aseptic processing, revised"},
    "training.trainingrecord": {"evidence": "TRN-0042"},
    "accounts.apitoken": {"revoke": "on"},
    "auth.user": {"first_name": "Sora"},
    "auth.group": {"name": "Staff (renamed)"},
    "governance.meeting": {"minutes": "Agreed the launch plan."},
    "governance.decision": {"rationale": "Demand outgrew one shift."},
    "governance.action": {"title": "Draft the two-shift plan"},
    "governance.risk": {"impact": "5"},
}


def post_for(name: str, persona: str, world, spares) -> Post:
    if name in APP_POSTS:
        return APP_POSTS[name](persona, world)
    app_model, _sep, view = name.removeprefix("admin:").rpartition("_")
    if name.startswith("admin:") and view in {"add", "change", "delete", "changelist", "history"}:
        return admin_post(app_model.replace("_", ".", 1), view, world, spares)
    return Post(url_for(name, world), {}, lambda: None)  # pages that only read


def admin_post(label: str, view: str, world, spares) -> Post:
    model = apps.get_model(label)
    form_id = f"{model._meta.model_name}_form"
    name = f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}"
    if view == "add":
        data = {**rendered(reverse(name), form_id, world), **add_values(world).get(label, {}), **REASON}
        return Post(reverse(name), data, rows(model), model)
    if view in {"change", "history"}:
        record = world["objects"][label]
        url = reverse(name, args=[record.pk])
        data = {**rendered(url, form_id, world), **CHANGES.get(label, {}), **REASON} if view == "change" else {}
        return Post(url, data, rows(model, pk=record.pk), model)
    spare = spares[label]
    if view == "delete":
        return Post(reverse(name, args=[spare.pk]), {"post": "yes", **REASON}, rows(model, pk=spare.pk), model)
    bulk_delete = {"action": "delete_selected", "_selected_action": [spare.pk], "post": "yes"}
    return Post(reverse(name), bulk_delete, rows(model, pk=spare.pk), model)


def own(model: type[models.Model], persona: str) -> Callable[[], list[dict]]:
    return rows(model, user__username=persona)


def sign_in(name: str) -> Callable:
    return lambda persona, world: Post(reverse(name), {"username": "someone", "password": PASSWORD}, session_keys)


def sign_out(name: str) -> Callable:
    return lambda persona, world: Post(reverse(name), {}, session_keys)


def change_own_password(persona: str, world) -> Post:
    data = {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    return Post(reverse("admin:password_change"), data, rows(User, username=persona), User)


def set_someones_password(persona: str, world) -> Post:
    url = reverse("admin:auth_user_password_change", args=[world["user"].pk])
    data = {**rendered(url, "user_form", world), "password1": NEW_PASSWORD, "password2": NEW_PASSWORD, **REASON}
    return Post(url, data, rows(User, pk=world["user"].pk), User)


def choose_language(persona: str, world) -> Post:
    return Post(reverse("accounts:language"), {"language": "ja", "next": "/"}, own(Profile, persona))


def save_preferences(persona: str, world) -> Post:
    data = {"language": "ja", "time_zone": "Asia/Tokyo", "year_basis": ""}
    return Post(reverse("accounts:preferences"), data, own(Profile, persona))


def renew_calendar_link(persona: str, world) -> Post:
    return Post(reverse("accounts:regenerate_calendar_token"), {}, own(CalendarToken, persona))


def issue_api_token(persona: str, world) -> Post:
    return Post(reverse("accounts:api_token_create"), {"name": "QMS nightly import"}, own(ApiToken, persona), ApiToken)


def revoke_someones_api_token(persona: str, world) -> Post:
    token = world["objects"]["accounts.apitoken"]
    return Post(reverse("accounts:api_token_revoke", args=[token.pk]), {}, rows(ApiToken, pk=token.pk), ApiToken)


def api_create(name: str, label: str) -> Callable:
    """A record as the admin's add page would create it, with a reason, sent to the API as JSON."""

    def post(persona: str, world) -> Post:
        model = apps.get_model(label)
        data = {**add_values(world)[label], **REASON}
        return Post(reverse(f"api:{name}-list"), data, rows(model), model, "application/json")

    return post


IMPORT_HEADER = "person_email,requirement,version,completed_on,result,trainer_email,evaluator_email,evidence\n"


def sheet(world) -> bytes:
    person = world["alliance"].agc_person
    return f"{IMPORT_HEADER}{person.email},SOP-GOWN-B,1,2026-01-10,passed,,,TRN-1\n".encode()


def preview_import(persona: str, world) -> Post:
    """Uploading stores the file for review and shows its preview: no record is written yet."""
    data = {"import_file": SimpleUploadedFile("records.csv", sheet(world), content_type="text/csv")}
    return Post(reverse("admin:training_trainingrecord_import"), data, rows(TrainingRecord), TrainingRecord)


def previewed_upload(persona: str, world):
    """A file the persona uploaded and previewed (an upload is only ever confirmed by whoever uploaded it)."""
    owner_persona = "admin" if persona == "anonymous" else persona
    login_as(Client(), owner_persona)  # the persona's account, made as the table's own login makes it
    owner = User.objects.get(username=owner_persona)
    content = sheet(world)
    parsed = read_sheet(content)
    plan = plan_import(parsed)
    upload = upload_store(user=owner, file_name="records.csv", content=content, sheet=parsed)
    remember_preview(upload, plan)
    return upload, plan


def confirm_import(persona: str, world) -> Post:
    upload, plan = previewed_upload(persona, world)
    data = {"digest": plan.digest, **REASON}
    url = reverse("admin:training_trainingrecord_import_confirm", args=[upload.pk])
    return Post(url, data, rows(TrainingRecord), TrainingRecord)


def cancel_import(persona: str, world) -> Post:
    upload, _plan = previewed_upload(persona, world)
    url = reverse("admin:training_trainingrecord_import_cancel", args=[upload.pk])
    return Post(url, {}, rows(ImportUpload, pk=upload.pk))


def ask_for_evidence_pack(persona: str, world) -> Post:
    data = {"dataset": "evidence", "format": "zip", "start": "2025-01-01"}
    return Post(reverse("exports:jobs"), data, rows(ExportJob, requester__username=persona))


def sign_a_milestone(persona: str, world) -> Post:
    milestone = world["signable"]
    data = {"meaning": "approved", "password": PASSWORD, "version": version_of(Milestone, milestone.pk)}
    return Post(url_for("signatures:sign", world), data, rows(Signature))


APP_POSTS: dict[str, Callable[[str, dict], Post]] = {
    "exports:jobs": ask_for_evidence_pack,
    "signatures:sign": sign_a_milestone,
    "login": sign_in("login"),
    "admin:login": sign_in("admin:login"),
    "logout": sign_out("logout"),
    "admin:logout": sign_out("admin:logout"),
    "admin:password_change": change_own_password,
    "admin:auth_user_password_change": set_someones_password,
    "accounts:language": choose_language,
    "accounts:preferences": save_preferences,
    "accounts:regenerate_calendar_token": renew_calendar_link,
    "accounts:api_token_create": issue_api_token,
    "accounts:api_token_revoke": revoke_someones_api_token,
    "api:exchanges-list": api_create("exchanges", "partners.exchange"),
    "api:training-records-list": api_create("training-records", "training.trainingrecord"),
    "admin:training_trainingrecord_import": preview_import,
    "admin:training_trainingrecord_import_confirm": confirm_import,
    "admin:training_trainingrecord_import_cancel": cancel_import,
}


@pytest.fixture
def world(world):
    """The shared records, with a requirement in the curriculum: its form saves none without one."""
    objects = world["objects"]
    objects["training.curriculum"].requirements.add(objects["training.requirement"])
    return world


@pytest.fixture
def spares(world) -> dict[str, models.Model]:
    """One record of each type that nothing refers to, for the deletes (the world's records are all in use)."""
    alliance = world["alliance"]
    requirement = Requirement.objects.create(code="SOP-SPARE", title="Spare", validity_months=12)
    base = {"user_agent": "test", "ip_address": "10.0.0.9", "username": "y", "http_accept": "*/*", "path_info": "/"}
    return {
        "partners.company": CompanyFactory(),
        "partners.partnership": PartnershipFactory(),
        "partners.capability": Capability.objects.create(name="Spare capability", code="spare"),
        "partners.site": SiteFactory(),
        "partners.person": PersonFactory(),
        "partners.exchange": ExchangeFactory(
            person=alliance.medinet_person,
            partnership=alliance.partnership,
            host_company=alliance.agc_bio,
            planned_start=datetime.date(2025, 9, 1),
            planned_end=datetime.date(2025, 10, 31),
        ),
        "milestones.milestone": MilestoneFactory(partnership=alliance.partnership),
        "training.requirement": Requirement.objects.create(code="SOP-UNUSED", title="Unused", validity_months=12),
        "training.requirementversion": RequirementVersion.objects.create(
            requirement=requirement, version=1, effective_from="2024-01-01"
        ),
        "training.curriculum": Curriculum.objects.create(name="Spare curriculum", function="manufacturing"),
        "training.trainingrecord": TrainingRecord.objects.create(
            person=alliance.agc_person,
            requirement=world["objects"]["training.requirement"],
            version=world["objects"]["training.requirementversion"],
            completed_on="2025-08-01",
        ),
        "training.trainingimport": world["objects"]["training.trainingimport"],
        "accounts.apitoken": token_issue(user=world["user"], name="Spare", reason="Issued for the write tests")[0],
        "auth.user": User.objects.create_user("spare", password=PASSWORD),
        "auth.group": Group.objects.create(name="Spare"),
        "axes.accessattempt": AccessAttempt.objects.create(**base, get_data="", post_data="", failures_since_start=1),
        "axes.accesslog": AccessLog.objects.create(**base),
        "axes.accessfailurelog": AccessFailureLog.objects.create(**base),
        # Never deleted (no delete page answers), but the changelist's bulk delete is tried on one of each.
        **{label: world["objects"][label] for label in ROLE_RIGHTS if label.startswith("governance.")},
    }
