"""What `make test` keeps between runs is used again only where what built it is unchanged: the demo database (the
code, and the same day), production's static files (the static folders, the settings and the packages)."""

import datetime
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from tests import servers


@pytest.fixture
def checkout(tmp_path, monkeypatch):
    """A checkout of an app's model, its settings, a stylesheet and a test, and a folder beside it to keep things in."""
    root = tmp_path / "checkout"
    for folder in ("partners", "cdmo", "static/css", "tests"):
        (root / folder).mkdir(parents=True)
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)  # noqa: S607
    (root / "partners" / "models.py").write_text("RULE = 1\n")
    (root / "cdmo" / "settings.py").write_text("STATIC_URL = 'static/'\n")
    (root / "static" / "css" / "app.css").write_text("body { color: black; }\n")
    (root / "tests" / "test_rule.py").write_text("def test_rule(): pass\n")
    monkeypatch.setattr(servers, "ROOT", root)
    monkeypatch.setattr(servers, "KEEP_IN", tmp_path / "kept")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return root


def next_day(monkeypatch) -> None:
    """Tomorrow, as tests/servers.py reads the date."""
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)

    class Tomorrow(datetime.date):
        @classmethod
        def today(cls):
            return tomorrow

    monkeypatch.setattr(servers.datetime, "date", Tomorrow)


def test_an_edit_to_the_code_names_another_kept_demo_database_and_drops_the_old_one(checkout):
    first = servers.kept_demo_database()
    first.write_text("built by RULE = 1")
    (checkout / "partners" / "models.py").write_text("RULE = 2\n")
    second = servers.kept_demo_database()
    assert second != first
    assert not first.exists()


def test_an_edit_to_the_tests_keeps_the_demo_database(checkout):
    first = servers.kept_demo_database()
    (checkout / "tests" / "test_rule.py").write_text("def test_rule(): assert True\n")
    assert servers.kept_demo_database() == first


def test_a_new_day_names_another_kept_demo_database(checkout, monkeypatch):
    first = servers.kept_demo_database()
    next_day(monkeypatch)
    assert servers.kept_demo_database() != first


def test_nothing_is_kept_without_reuse_db(checkout, monkeypatch):
    monkeypatch.setattr(servers, "KEEP_IN", None)
    assert servers.kept_demo_database() is None
    assert servers.kept_production_static({}) is None


def test_postgresql_keeps_the_static_files_but_not_the_demo_database(checkout, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/alliance")
    assert servers.kept_demo_database() is None
    assert servers.kept_production_static({}) is not None


@pytest.mark.parametrize(
    ("edited", "text"),
    [
        ("static/css/app.css", "body { color: navy; }\n"),
        ("cdmo/settings.py", "STATIC_URL = 'assets/'\n"),
        ("exports/static/exports/job.js", "poll();\n"),  # a new app's static folder
    ],
)
def test_a_changed_or_new_static_file_or_settings_name_other_static_files_and_drop_the_old_ones(checkout, edited, text):
    first = servers.kept_production_static({})
    (first / "css").mkdir(parents=True)
    (first / "css" / "app.css.gz").write_bytes(b"built from the first stylesheet")
    demo = servers.kept_demo_database()
    demo.write_text("built by the first checkout")
    (checkout / edited).parent.mkdir(parents=True, exist_ok=True)
    (checkout / edited).write_text(text)
    second = servers.kept_production_static({})
    assert second != first
    assert not first.exists()
    # Each kind drops only its own older copies.
    assert demo.exists()


def test_an_edit_to_a_model_keeps_the_static_files_but_builds_the_demo_database_again(checkout):
    first = servers.kept_production_static({})
    demo = servers.kept_demo_database()
    (checkout / "partners" / "models.py").write_text("RULE = 2\n")
    assert servers.kept_production_static({}) == first
    # The model's edit could change what seeding writes.
    assert servers.kept_demo_database() != demo


def test_an_edit_to_the_tests_or_a_new_day_keeps_the_static_files(checkout, monkeypatch):
    first = servers.kept_production_static({})
    (checkout / "tests" / "test_rule.py").write_text("def test_rule(): assert True\n")
    next_day(monkeypatch)
    assert servers.kept_production_static({}) == first


@pytest.fixture
def collectstatic(monkeypatch):
    """collectstatic as a stand-in that writes one file where it is told, and the folders it was told."""
    told, real_run = [], subprocess.run

    def run(command, **kwargs):
        if "collectstatic" not in command:
            return real_run(command, **kwargs)
        told.append(Path(kwargs["env"]["DJANGO_STATIC_ROOT"]))
        (told[-1] / "css").mkdir(parents=True)
        (told[-1] / "css" / "app.css.gz").write_bytes(b"compressed")
        if kwargs["env"].get("STOP_HALFWAY"):
            raise KeyboardInterrupt

    monkeypatch.setattr(servers.subprocess, "run", run)
    return told


def test_production_static_files_are_collected_once_for_the_same_code(checkout, collectstatic, tmp_path):
    first = servers.collected_for_production(tmp_path / "one", {})
    again = servers.collected_for_production(tmp_path / "two", {})
    assert first == again == servers.kept_production_static({})
    assert (first / "css" / "app.css.gz").read_bytes() == b"compressed"
    assert len(collectstatic) == 1
    # Collected beside the kept folder and moved in once complete: a run stopped halfway leaves no kept folder.
    assert collectstatic[0].name.endswith(".partial")


def test_without_reuse_db_each_run_collects_its_own_production_static_files(
    checkout, collectstatic, monkeypatch, tmp_path
):
    monkeypatch.setattr(servers, "KEEP_IN", None)
    first = servers.collected_for_production(tmp_path / "one", {})
    second = servers.collected_for_production(tmp_path / "two", {})
    assert first == tmp_path / "one" / "static"
    assert second == tmp_path / "two" / "static"
    assert (second / "css" / "app.css.gz").exists()
    assert len(collectstatic) == 2


def test_a_run_stopped_while_collecting_leaves_nothing_kept_and_the_next_collects_again(
    checkout, collectstatic, tmp_path
):
    with pytest.raises(KeyboardInterrupt):
        servers.collected_for_production(tmp_path / "one", {"STOP_HALFWAY": "1"})
    assert not servers.kept_production_static({}).exists()
    again = servers.collected_for_production(tmp_path / "two", {})
    assert (again / "css" / "app.css.gz").exists()
    assert len(collectstatic) == 2


def test_another_package_version_or_tasks_backend_names_other_static_files(checkout, monkeypatch):
    first = servers.kept_production_static({})
    assert servers.kept_production_static({"TASKS_BACKEND": "rq"}) != first
    installed = list(servers.importlib.metadata.distributions())

    class Upgraded:
        name, version = installed[0].name, installed[0].version + ".post1"

    monkeypatch.setattr(servers.importlib.metadata, "distributions", lambda: [Upgraded, *installed[1:]])
    assert servers.kept_production_static({}) != first


def test_pruning_leaves_test_databases_and_the_current_collection_alone(checkout):
    kept = servers.kept_production_static({})
    test_database = servers.KEEP_IN / "test-gw0-0123456789ab.sqlite3"
    test_database.write_text("a worker's test database")
    current = kept.with_name(f"{kept.name}.partial")
    current.mkdir()
    stale = servers.KEEP_IN / "static-production-0123456789ab.partial"
    stale.mkdir()
    assert servers.kept_production_static({}) == kept
    assert test_database.exists()
    assert current.exists()
    assert not stale.exists()


def test_collectstatic_reads_nothing_of_the_checkout_outside_what_names_the_kept_static_files():
    """The kept folder's name follows ``static_sources`` (cdmo/, folders named static): a static folder by another
    name, or a storage, finder or collectstatic of the project's own elsewhere, would be read without being named."""
    for folder in settings.STATICFILES_DIRS:
        relative = Path(folder).resolve().relative_to(servers.ROOT)
        assert servers.static_sources(f"{relative.as_posix()}/any.css"), folder
    found = subprocess.run(
        ["git", "grep", "-l", "-E", "StaticFilesStorage|BaseFinder|BaseStorageFinder|staticfiles.management"],  # noqa: S607
        cwd=servers.ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if found.returncode not in (0, 1):  # 1: no file matched
        pytest.skip("not a git checkout: make test keeps nothing outside one")
    outside = [name for name in found.stdout.split() if name.endswith(".py") and servers.the_code(name)]
    assert [name for name in outside if not servers.static_sources(name)] == []
