"""Print, as JSON, the HTML pages of the URL × persona table that the checked personas may open on a seeded database.

Run by ``test_accessibility`` in a separate process against the journeys' database (the test process itself is
bound to pytest-django's database): ``python -m tests.browser.accessibility_pages``.
"""

from __future__ import annotations

import json
import os
import sys

import django

# The pages that answer 200 for these personas: the administrator reaches every page, the auditor sees them
# without the write buttons.
CHECKED = ("admin", "auditor")
# Not HTML: scripts, downloads and the health probe.
NOT_PAGES = {
    "admin:jsi18n",
    "admin:training_trainingrecord_import_template",
    "exports:download",
    "exports:evidence",
    "exports:job_status",
    "exports:job_download",
    "core:healthz",
    # Swagger UI, as drf-spectacular-sidecar ships it: not our markup, like Django's select2 widgets.
    "api:docs",
}


def world() -> dict:
    """One record of each kind the table's URLs need, from the demo data, adding those the demo does not make."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.apps import apps
    from django.contrib.auth.models import User

    from accounts.models import ApiToken
    from accounts.tokens import token_issue
    from exports.models import ExportJob
    from milestones.models import Milestone
    from tests.accounts.test_access import ROLE_RIGHTS
    from training.models import TrainingImport

    user = User.objects.get(username="staff")
    if not TrainingImport.objects.exists():
        TrainingImport.objects.create(
            user=user,
            file_name="records.csv",
            sha256="0" * 64,
            file_format="csv",
            encoding="utf-8",
            rows_created=1,
            rows_updated=0,
            rows_unchanged=0,
            reason="Records of the January gowning sessions",
        )
    base = {"user_agent": "test", "ip_address": "127.0.0.1", "username": "x", "http_accept": "*/*", "path_info": "/"}
    # A new attempt every time: axes deletes attempts older than its cool-off whenever someone signs in.
    AccessAttempt.objects.filter(username=base["username"]).delete()
    AccessAttempt.objects.create(**base, get_data="", post_data="", failures_since_start=1)
    if not AccessLog.objects.exists():
        AccessLog.objects.create(**base)
    if not AccessFailureLog.objects.exists():
        AccessFailureLog.objects.create(**base)
    governance_records()
    if not ApiToken.objects.exists():
        token_issue(user=user, name="QMS", reason="Issued for the page checks")
    labels = [*ROLE_RIGHTS, "auth.user", "auth.group", "axes.accessattempt", "axes.accesslog", "axes.accessfailurelog"]
    objects = {label: apps.get_model(label).objects.order_by("pk").first() for label in labels}
    missing = [label for label, obj in objects.items() if obj is None]
    if missing:
        raise SystemExit(f"the demo data has no {', '.join(missing)}")
    job = ExportJob.objects.first() or ExportJob.objects.create(
        requester=user, dataset="evidence", format="zip", state=ExportJob.State.QUEUED
    )
    # A done milestone: a manager may sign it (accounts/signing.py), so the signing page shows.
    signable = Milestone.objects.filter(status=Milestone.Status.DONE).order_by("pk").first()
    return {
        "objects": objects,
        "exchange": objects["partners.exchange"],
        "user": user,
        "export_job": job,
        "signable": signable,
    }


def governance_records() -> None:
    """A meeting, decision, action and risk, where the demo data has none yet."""
    from django.utils import timezone

    from governance.models import Action, Body, Decision, Meeting, Risk
    from governance.services import decision_save
    from partners.models import Partnership, Person

    if Meeting.objects.exists() and Decision.objects.exists() and Action.objects.exists() and Risk.objects.exists():
        return
    today = timezone.localdate()
    partnership = Partnership.objects.order_by("pk").first()
    owner = next(p for p in Person.objects.order_by("pk") if partnership.party_of(p) is not None)
    meeting = Meeting(partnership=partnership, kind=Body.WORKING_GROUP, held_on=today, title="Page check meeting")
    meeting.full_clean()
    meeting.save()
    decision_save(
        decision=Decision(
            partnership=partnership, body=Body.WORKING_GROUP, meeting=meeting, title="Page check", text="Checked."
        )
    )
    for record in (
        Action(partnership=partnership, title="Page check action", owner=owner, due_on=today, meeting=meeting),
        Risk(
            partnership=partnership,
            title="Page check risk",
            category="quality",
            likelihood=2,
            impact=3,
            owner=owner,
            review_on=today,
        ),
    ):
        record.full_clean()
        record.save()


def is_api_data(name: str) -> bool:
    """The API answers JSON; only its documentation is a page."""
    return name.startswith("api:") and name != "api:docs"


def pages() -> dict[str, list[str]]:
    from tests.accounts.test_access import OK, TABLE, url_for

    found = world()
    return {
        persona: [
            url_for(name, found)
            for name, expect in sorted(TABLE.items())
            if getattr(expect, persona) == OK and name not in NOT_PAGES and not is_api_data(name)
        ]
        for persona in CHECKED
    }


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cdmo.settings")
    django.setup()
    json.dump(pages(), sys.stdout)
