"""The records every page of the app can show, for the tests that walk all of them."""

from __future__ import annotations

import json

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.identity.config import identity_providers
from accounts.tokens import token_issue
from exports import jobs
from exports.models import ExportJob
from tests.factories import (
    ActionFactory,
    DecisionFactory,
    ExchangeFactory,
    MeetingFactory,
    MilestoneFactory,
    RiskFactory,
    UserFactory,
)
from training.models import Curriculum, ImportUpload, Requirement, RequirementVersion, TrainingImport, TrainingRecord

# A provider on the login page: its pages open without reaching it (it is never reached: nothing listens there).
WORLD_PROVIDER = "agc"


@pytest.fixture
def world(alliance, settings):
    entry = {"id": WORLD_PROVIDER, "name": "AGC Biologics", "server_url": "http://127.0.0.1:9/o", "client_id": "app"}
    apps = identity_providers(
        json.dumps([{**entry, "secret": "not-used", "roles": {"alliance-staff": "Staff"}}]), production=False
    )
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {**settings.SOCIALACCOUNT_PROVIDERS["openid_connect"], "APPS": apps}
    }
    exchange = ExchangeFactory(
        person=alliance.agc_person, partnership=alliance.partnership, host_company=alliance.medinet
    )
    milestone = MilestoneFactory(partnership=alliance.partnership)
    user = UserFactory(username="someone")
    base = {"user_agent": "test", "ip_address": "127.0.0.1", "username": "x", "http_accept": "*/*", "path_info": "/"}
    objects = {
        "partners.company": alliance.agc,
        "partners.partnership": alliance.partnership,
        "partners.capability": alliance.yokohama.capabilities.model.objects.first(),
        "partners.site": alliance.yokohama,
        "partners.person": alliance.agc_person,
        "partners.exchange": exchange,
        "milestones.milestone": milestone,
        **training_objects(alliance),
        **governance_objects(alliance, milestone),
        "auth.user": user,
        "accounts.apitoken": token_issue(user=user, name="QMS", reason="Issued for the access tests")[0],
        "auth.group": Group.objects.get(name="Staff"),
        "axes.accessattempt": AccessAttempt.objects.create(**base, get_data="", post_data="", failures_since_start=1),
        "axes.accesslog": AccessLog.objects.create(**base),
        "axes.accessfailurelog": AccessFailureLog.objects.create(**base),
    }
    upload = ImportUpload.objects.create(
        user=user, file_name="records.csv", sha256="0" * 64, file_format="csv", encoding="utf-8", content=b"x"
    )
    # Done, so a manager may sign it "approved" (accounts/signing.py).
    signable = MilestoneFactory(
        partnership=alliance.partnership, title="Tech transfer", status="done", actual_date="2025-11-28"
    )
    return {
        "objects": objects,
        "exchange": exchange,
        "user": user,
        "upload": upload,
        "alliance": alliance,
        "export_job": finished_export_job(user),
        "signable": signable,
    }


def finished_export_job(user) -> ExportJob:
    """Someone's finished export job, its file stored: only they and administrators may see or take it."""
    job = ExportJob.objects.create(requester=user, dataset="sites", format="csv", state=ExportJob.State.DONE)
    job.file_name = jobs.storage().save(f"{job.pk}/{job.file_label}", ContentFile(b"\xef\xbb\xbfname\n"))
    job.finished_at = timezone.now()
    job.save()
    return job


def training_objects(alliance) -> dict:
    requirement = Requirement.objects.create(code="SOP-GOWN-B", title="Grade B gowning", validity_months=12)
    version = RequirementVersion.objects.create(requirement=requirement, version=1, effective_from="2024-01-01")
    curriculum = Curriculum.objects.create(name="Aseptic processing", function="manufacturing")
    record = TrainingRecord.objects.create(
        person=alliance.medinet_person, requirement=requirement, version=version, completed_on="2025-06-01"
    )
    imported = TrainingImport.objects.create(
        user=UserFactory(username="importer"),
        file_name="records.csv",
        sha256="0" * 64,
        file_format="csv",
        encoding="utf-8",
        rows_created=1,
        rows_updated=0,
        rows_unchanged=0,
        reason="Records of the January gowning sessions",
    )
    return {
        "training.trainingimport": imported,
        "training.requirement": requirement,
        "training.requirementversion": version,
        "training.curriculum": curriculum,
        "training.trainingrecord": record,
    }


def governance_objects(alliance, milestone) -> dict:
    meeting = MeetingFactory(partnership=alliance.partnership, attendees=[alliance.agc_person, alliance.medinet_person])
    decision = DecisionFactory(partnership=alliance.partnership, meeting=meeting)
    owner = alliance.medinet_person
    risk = RiskFactory(partnership=alliance.partnership, owner=owner)
    risk.milestones.add(milestone)
    return {
        "governance.meeting": meeting,
        "governance.decision": decision,
        "governance.action": ActionFactory(partnership=alliance.partnership, owner=owner, decision=decision),
        "governance.risk": risk,
    }
