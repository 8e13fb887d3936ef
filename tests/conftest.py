from __future__ import annotations

import datetime
import hashlib
import shutil
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, connections
from django.test import override_settings
from django.utils import translation

from tests import servers
from tests.audit.helpers import history_protection
from tests.factories import Alliance, UserFactory, the_alliance

# Where `--reuse-db` keeps each worker's SQLite test database between runs.
KEPT_DATABASES = Path(__file__).resolve().parents[1] / ".pytest_cache" / "databases"


def migrations_digest() -> str:
    """What the project's migrations say, in a few characters: a kept database was built by these migrations only
    if its name carries the same digest (an edited or removed migration is not something `migrate` can catch up)."""
    root = KEPT_DATABASES.parents[1]
    digest = hashlib.sha256()
    for path in sorted(root.glob("*/migrations/*.py")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def pytest_configure(config):
    if config.getoption("reuse_db"):
        servers.KEEP_IN = KEPT_DATABASES


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """Under --dist loadgroup (`make test`), the long work units first, longest first (tests/scheduling.py)."""
    if config.getoption("dist") == "loadgroup":
        from tests.scheduling import HeavyGroupsApart

        return HeavyGroupsApart(config, log)
    return None


def on_sqlite() -> bool:
    return django_settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(request, django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite each worker's test database is a file that starts as a copy of the run's migrated database
    (tests/servers.py: migrated once for every worker and the demo), instead of Django's database in memory that
    each worker migrates itself. Under `--reuse-db` (`make test`) the file is kept between runs, so that later runs
    start from it."""
    database = django_settings.DATABASES["default"]
    if not on_sqlite():
        return
    if request.config.getoption("reuse_db"):
        worker = getattr(request.config, "workerinput", {}).get("workerid", "main")
        KEPT_DATABASES.mkdir(parents=True, exist_ok=True)
        path = KEPT_DATABASES / f"test-{worker}-{migrations_digest()}.sqlite3"
        # This worker's database built by other migrations (test-gw1-<digest>, not test-gw10-…), and the unnamed one.
        for older in [KEPT_DATABASES / f"test-{worker}.sqlite3", *KEPT_DATABASES.glob(f"test-{worker}-*.sqlite3")]:
            if older != path:
                older.unlink(missing_ok=True)
    else:
        path = tmp_path_factory.mktemp("database") / "test.sqlite3"
    if not path.exists():
        partial = path.with_suffix(".partial")
        shutil.copyfile(servers.migrated_database(tmp_path_factory), partial)
        partial.replace(path)
    database.setdefault("TEST", {})["NAME"] = str(path)


@pytest.fixture(scope="session")
def django_db_keepdb(request) -> bool:
    """On SQLite Django takes the file made above as it is, and migrates only what is new (none: it is a copy)."""
    return bool(request.config.getoption("reuse_db")) or on_sqlite()


@pytest.fixture(scope="session")
def django_db_createdb(request) -> bool:
    return bool(request.config.getoption("create_db")) and not on_sqlite()


@pytest.fixture(autouse=True, scope="session")
def fast_password_hasher():
    """For the whole run, data built once for a module (tests/module_data.py) included."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def export_jobs_storage(settings, tmp_path):
    """Finished export-job files go to the test's own folder, never the project's."""
    settings.EXPORT_JOBS_DIR = tmp_path / "export-jobs"
    settings.STORAGES = {
        **settings.STORAGES,
        "export_jobs": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": settings.EXPORT_JOBS_DIR},
        },
    }


@pytest.fixture(autouse=True)
def fresh_api_allowance():
    """The API's rate counts live in the cache, which outlives a test's database: each test starts from none."""
    cache.clear()


@pytest.fixture(autouse=True)
def default_language():
    """Django leaves a request's language active in its thread afterwards: each test starts from the default."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def alliance(db) -> Alliance:
    """AGC Inc. (parent of AGC Biologics) and MEDINET in a partnership signed on 2024-09-11."""
    return the_alliance()


PERSONAS = ["anonymous", "staff", "manager", "auditor", "admin"]


def login_as(client, persona: str):
    if persona == "anonymous":
        return client
    if persona == "admin":
        user = UserFactory(username="admin", is_superuser=True)
    else:
        user = UserFactory(username=persona, role=persona.capitalize())
    client.force_login(user)
    return client


@pytest.fixture
def staff_client(client, db):
    return login_as(client, "staff")


@pytest.fixture
def manager_client(client, db):
    return login_as(client, "manager")


@pytest.fixture
def auditor_client(client, db):
    return login_as(client, "auditor")


@pytest.fixture
def admin_client(client, db):
    return login_as(client, "admin")


class _PreciseJSONEncoder(DjangoJSONEncoder):
    """Times to the microsecond: Django's test serializer keeps milliseconds, and a history row restored with its
    time cut would no longer match the hash it was sealed with."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The migrated rows as ``committed_db`` loads them back: exactly, so the audit chains still verify after."""
    with django_db_blocker.unblock(), mock.patch("django.core.serializers.json.DjangoJSONEncoder", _PreciseJSONEncoder):
        for alias in connections:
            if hasattr(connections[alias], "_test_serialized_contents"):
                connections[alias]._test_serialized_contents = connections[alias].creation.serialize_db_to_string()


@pytest.fixture
def _restored_after_flush(django_db_setup, django_db_blocker):
    yield
    # The rows come back exactly as serialized after migrating, history and chain heads included: setting a role's
    # permissions again must not write a history row of its own.
    with django_db_blocker.unblock(), override_settings(SIMPLE_HISTORY_ENABLED=False):
        connection.creation.deserialize_db_from_string(connection._test_serialized_contents)
        history_protection(enabled=True)


@pytest.fixture
def _protection_lifted_for_setup(django_db_setup, django_db_blocker):
    """Reloading the migrations' rows at setup writes each history row again with its own values: the triggers
    step aside for that too."""
    with django_db_blocker.unblock():
        history_protection(enabled=False)


@pytest.fixture
def _not_in_a_module_transaction():
    if connection.in_atomic_block:
        raise RuntimeError(
            "A test that commits cannot share a module with data built once for it (tests/module_data.py): "
            "move it to a module of its own"
        )


@pytest.fixture
def committed_db(
    _not_in_a_module_transaction,
    _restored_after_flush,
    _protection_lifted_for_setup,
    transactional_db,
    django_db_serialized_rollback,
):
    """Writes that commit, so that two connections see each other's.

    The flush that empties the database afterwards truncates the history tables, which their append-only triggers
    refuse: the triggers step aside for the flush only. Then the rows the migrations made (roles, permissions, the
    first history of accounts and roles) are loaded back, so the tests that run after this one find the database as
    migrated.
    """
    history_protection(enabled=True)
    yield
    history_protection(enabled=False)


@pytest.fixture(scope="session")
def identity_provider(tmp_path_factory):
    """The test OpenID provider (tests/idp/), in its own process with its own database, for the whole run."""
    from tests.identity_provider import start_identity_provider, stop

    provider = start_identity_provider(tmp_path_factory.mktemp("idp"))
    yield provider
    stop(provider)
