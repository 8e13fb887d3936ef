"""Data built once for a module (tests/module_data.py): each test starts from it as built, whatever the test before it
wrote, in rows and in memory."""

from __future__ import annotations

import pytest

from partners.models import Company
from tests.factories import CompanyFactory
from tests.module_data import built_for_the_module, own_copy


@pytest.fixture(scope="module")
def kept(django_db_blocker):
    with built_for_the_module(django_db_blocker, lambda: CompanyFactory(name="Built once")) as built:
        yield built
    with django_db_blocker.unblock():
        assert not Company.objects.filter(pk=built.pk).exists(), "the module's end rolls the build back"


@pytest.fixture
def company(kept, db) -> Company:
    return own_copy(kept)


@pytest.mark.parametrize("new_name", ["Renamed by the first", "Renamed by the second"])
def test_each_test_starts_from_the_data_as_built(company, new_name):
    assert company.name == "Built once"
    assert Company.objects.get(pk=company.pk).name == "Built once"
    assert not Company.objects.filter(name__startswith="Renamed").exists()
    company.name = new_name
    company._change_reason = "Renamed"
    company.save()
    CompanyFactory(name=f"{new_name}, another")
    assert Company.objects.get(pk=company.pk).name == new_name


def test_a_test_that_commits_is_refused_where_a_module_holds_data_built_once(kept, db, request):
    # Its commit would land inside the module's transaction, and its flush would empty the module's data. (``db`` has
    # pytest-django run it with the database tests, before a browser's event loop would refuse the module's build.)
    with pytest.raises(RuntimeError, match="cannot share a module with data built once"):
        request.getfixturevalue("committed_db")
