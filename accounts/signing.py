"""Who may sign which records with which meanings: the one declaration the signing page, the signature's model
rule and the tests derive from.

A rule names a record type, a meaning, who may sign (a role, or the person the record names, through that person's
user account) and, where it matters, when the record is ready for it (a milestone is signed once done). A user may
sign a record with a meaning when some rule for its type and that meaning lets them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.roles import MANAGER, QA_APPROVER
from signatures.meanings import Meaning


@dataclass(frozen=True)
class Signer:
    """Who may sign: ``test(user, record)``, and how to say it (for the docs and the signing page)."""

    describe: str
    test: Callable[[object, models.Model], bool]


def role_names(user) -> set[str]:
    """The user's roles, read once per request however many records a page asks about."""
    if not hasattr(user, "_signing_roles"):
        user._signing_roles = set(user.groups.values_list("name", flat=True))
    return user._signing_roles


def in_role(role: str) -> Signer:
    return Signer(_("a member of the role “%(role)s”") % {"role": role}, lambda user, record: role in role_names(user))


def the_person(field: str, label) -> Signer:
    """The person the record names in ``field``, signing through their own user account."""

    def test(user, record) -> bool:
        person = getattr(record, field)
        return person is not None and getattr(person, "user_id", None) == user.pk

    return Signer(label, test)


def co_chair() -> Signer:
    """A co-chair of the decision's partnership (for either party)."""

    def test(user, record) -> bool:
        person = getattr(user, "person", None)
        return person is not None and record.partnership.co_chairs.filter(pk=person.pk).exists()

    return Signer(_("a co-chair of the partnership"), test)


def always(record) -> bool:
    return True


@dataclass(frozen=True)
class Rule:
    model: str  # "app_label.model_name"
    meaning: Meaning
    signer: Signer
    when: Callable[[models.Model], bool] = always


def milestone_done(milestone) -> bool:
    return milestone.status == "done"


def exchange_completed(exchange) -> bool:
    return exchange.status == "completed"


def decision_proposed(decision) -> bool:
    return decision.status == "proposed"


def qa_approval_required(record) -> bool:
    return record.requirement.requires_qa_approval


RULES: tuple[Rule, ...] = (
    Rule("milestones.milestone", Meaning.PERFORMED, the_person("owner", _("the milestone's owner")), milestone_done),
    Rule("milestones.milestone", Meaning.APPROVED, in_role(MANAGER), milestone_done),
    Rule("training.trainingrecord", Meaning.PERFORMED, the_person("trainer", _("the trainer"))),
    Rule("training.trainingrecord", Meaning.APPROVED, in_role(QA_APPROVER), qa_approval_required),
    Rule(
        "partners.exchange",
        Meaning.REVIEWED,
        the_person("host_supervisor", _("the host supervisor")),
        exchange_completed,
    ),
    Rule("governance.decision", Meaning.APPROVED, co_chair(), decision_proposed),
)


# Fields that record what the signatures brought about, not what was signed: left out of the signed content.
NOT_SIGNED: dict[str, set[str]] = {"governance.decision": {"status", "approved_at"}}


def rules_for(model: type[models.Model]) -> list[Rule]:
    return [rule for rule in RULES if rule.model == model._meta.label_lower]


def signable(model: type[models.Model]) -> bool:
    return bool(rules_for(model))


def meanings_for(user, record: models.Model) -> list[Meaning]:
    """The meanings ``user`` may sign ``record`` with now, in the controlled list's order."""
    if not user.is_authenticated or not user.is_active:
        return []
    allowed = {rule.meaning for rule in rules_for(type(record)) if rule.when(record) and rule.signer.test(user, record)}
    return [meaning for meaning in Meaning if meaning in allowed]
