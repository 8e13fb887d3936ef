"""Deleting a capability takes it off every site that had it, on each site's trail; each trail starts "Created"."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from audit.history import MISSING_CREATION_REASON, record_missing_creations
from audit.trail import trail_for
from audit.verify import verify_all
from partners.models import Capability, Site
from partners.services import capability_delete
from tests.factories import SiteFactory


@pytest.fixture
def cryo(alliance):
    capability = Capability(code="cryo-storage", name="Cryogenic storage")
    capability.save()
    for site in (alliance.yokohama, alliance.shinagawa):
        site._change_reason = "Vapour-phase freezers installed"
        site.capabilities.add(capability)
    return capability


def test_deleting_a_capability_in_the_admin_leaves_a_history_row_on_each_site_that_had_it(admin_client, alliance, cryo):
    other = SiteFactory(company=alliance.medinet, name="Osaka office")
    untouched = other.history.count()
    url = reverse("admin:partners_capability_delete", args=[cryo.pk])
    response = admin_client.post(url, {"post": "yes", "change_reason": "Freezers moved to a contract depot"})
    assert response.status_code == 302
    assert not Capability.objects.filter(pk=cryo.pk).exists()

    for site in (alliance.yokohama, alliance.shinagawa):
        last = trail_for(Site, site.pk)[-1]
        assert (last.user, last.reason) == ("admin", "Freezers moved to a contract depot")
        change = next(c for c in last.changes if c.field == "capabilities")
        assert "Cryogenic storage (deleted)" in change.old and "Cryogenic storage" not in change.new
    assert other.history.count() == untouched
    deleted = Capability.history.filter(id=cryo.pk).latest()
    assert (deleted.history_type, deleted.history_change_reason) == ("-", "Freezers moved to a contract depot")
    assert all(report.ok for report in verify_all())


def test_a_capability_is_not_deleted_for_a_reason_that_says_nothing(alliance, cryo):
    with pytest.raises(ValidationError):
        capability_delete(capability=cryo, reason="old")
    assert Capability.objects.filter(pk=cryo.pk).exists()
    assert alliance.yokohama.capabilities.filter(pk=cryo.pk).exists()


def test_every_capability_the_first_data_migration_created_has_a_trail_that_starts_with_created(db):
    from_migration = Capability.objects.filter(code__in=["process-development", "qc-testing", "cell-processing"])
    assert from_migration.count() == 3
    for capability in from_migration:
        first = trail_for(Capability, capability.pk)[0]
        assert (str(first.action), first.reason) == ("Created", MISSING_CREATION_REASON)
        assert first.changes  # the creation shows what the record held
    assert all(report.ok for report in verify_all())


def test_a_record_written_without_history_gets_one_creation_row_after_migrate(db):
    # As a data migration writes: straight to the table, past the audited manager.
    models.QuerySet(Capability).bulk_create([Capability(code="lyophilisation", name="Lyophilisation")])
    capability = Capability.objects.get(code="lyophilisation")
    assert not capability.history.exists()

    record_missing_creations()
    record_missing_creations()  # a second migrate finds nothing missing
    assert [(row.history_type, row.history_change_reason) for row in capability.history.all()] == [
        ("+", MISSING_CREATION_REASON)
    ]
    assert all(report.ok for report in verify_all())
