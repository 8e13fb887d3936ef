"""Deleting a capability takes it off every site that had it, on each site's trail."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

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
