"""The demo database `make test` keeps between runs is used again only by the same code on the same day."""

import datetime
import subprocess

import pytest

from tests import servers


@pytest.fixture
def checkout(tmp_path, monkeypatch):
    """A checkout of two files, one of the app and one of its tests, and a folder beside it to keep databases in."""
    root = tmp_path / "checkout"
    (root / "partners").mkdir(parents=True)
    (root / "tests").mkdir()
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)  # noqa: S607
    (root / "partners" / "models.py").write_text("RULE = 1\n")
    (root / "tests" / "test_rule.py").write_text("def test_rule(): pass\n")
    monkeypatch.setattr(servers, "ROOT", root)
    monkeypatch.setattr(servers, "KEEP_DEMO_IN", tmp_path / "kept")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return root


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
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)

    class Tomorrow(datetime.date):
        @classmethod
        def today(cls):
            return tomorrow

    monkeypatch.setattr(servers.datetime, "date", Tomorrow)
    assert servers.kept_demo_database() != first


def test_nothing_is_kept_without_reuse_db_or_on_postgresql(checkout, monkeypatch):
    monkeypatch.setattr(servers, "KEEP_DEMO_IN", None)
    assert servers.kept_demo_database() is None
    monkeypatch.setattr(servers, "KEEP_DEMO_IN", checkout.parent / "kept")
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/alliance")
    assert servers.kept_demo_database() is None
