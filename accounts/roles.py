"""The roles people work in, as Django groups with exactly the permissions each needs.

Each role migration applies its own frozen copy of the roles as they stood then (``accounts/migrations``), so a
change here needs a new migration carrying the new copy; until it has one, ``tests/accounts/test_roles.py`` fails.
"""

from __future__ import annotations

from audit import registry

STAFF = "Staff"
MANAGER = "Manager"
AUDITOR = "Auditor"
# Quality assurance: approves the training records whose requirement asks for it (accounts/signing.py).
QA_APPROVER = "QA approver"

AUDIT_TRAIL = ("audit", "view_audit_trail")
EXPORT = ("exports", "export_records")
# Auditors review who had access and who changed it (21 CFR 11.10(d)): accounts, roles and API tokens, read-only.
ACCESS_REVIEW = {("auth", "view_user"), ("auth", "view_group"), ("accounts", "view_apitoken")}

# Access records are reviewed by auditors only (ACCESS_REVIEW); export records are read on the audit trail.
NOT_READ_BY_EVERYONE = {"auth", "accounts", "exports"}

GOVERNANCE_RECORDS = ("meeting", "decision", "action", "risk")


def readable_by_everyone() -> list[tuple[str, str]]:
    """Every audited record outside NOT_READ_BY_EVERYONE, and the link records its history keeps (app, model)."""
    models = []
    for entry in registry.audited():
        if entry.model._meta.app_label not in NOT_READ_BY_EVERYONE:
            models += [entry.model, *entry.links]
    return sorted({(m._meta.app_label, m._meta.model_name) for m in models})


def _view_all() -> set[tuple[str, str]]:
    return {(app, f"view_{model}") for app, model in readable_by_everyone()}


def role_permissions() -> dict[str, set[tuple[str, str]]]:
    """Role name → (app label, codename) pairs."""
    return {
        STAFF: _view_all()
        | {("partners", f"{verb}_{model}") for verb in ("add", "change") for model in ("person", "exchange")}
        | {("training", f"{verb}_trainingrecord") for verb in ("add", "change")}
        # Staff keep the steering committee's records; managers and auditors read them on their pages.
        | {("governance", f"{verb}_{model}") for verb in ("add", "change") for model in GOVERNANCE_RECORDS},
        MANAGER: _view_all()
        | {("milestones", f"{verb}_{model}") for verb in ("add", "change") for model in ("milestone", "dependency")}
        | {AUDIT_TRAIL, EXPORT},
        AUDITOR: _view_all() | {AUDIT_TRAIL, EXPORT} | ACCESS_REVIEW,
        QA_APPROVER: _view_all(),
    }
