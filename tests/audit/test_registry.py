"""One registry of audited models (audit/registry.py), read from the models: everything else derives from it."""

from __future__ import annotations

from django.apps import apps

from audit.registry import audited, audited_models, chained_models, record_types
from exports.forms import FilterForm
from milestones.models import Dependency, Milestone
from partners.models import Partnership, PartnershipParty
from signatures.models import Signature
from training.models import TrainingRecord


def test_every_model_with_history_is_audited():
    with_history = {m for m in apps.get_models() if hasattr(m._meta, "simple_history_manager_attribute")}
    assert set(audited_models()) == with_history
    assert {getattr(m, "instance_type", None) for m in chained_models()} >= with_history
    assert {m._meta.label for m in audited_models()} >= {"partners.Company", "auth.User", "exports.ExportRecord"}


def test_link_records_are_not_record_types_of_their_own_but_links_of_their_record():
    assert Dependency not in audited_models() and PartnershipParty not in audited_models()
    links = {entry.model: entry.links for entry in audited()}
    assert links[Partnership] == [PartnershipParty]
    assert links[Milestone] == [Dependency]


def test_record_type_keys_read_as_the_model_name_in_snake_case():
    assert record_types()["training_record"] is TrainingRecord
    assert record_types()["company"]._meta.label == "partners.Company"


def test_the_export_filter_offers_every_audited_record_type_by_its_verbose_name(db):
    choices = dict(FilterForm().fields["record_type"].choices)
    expected = {entry.key: entry.label for entry in audited()}
    assert {key: str(label) for key, label in choices.items() if key} == {k: str(v) for k, v in expected.items()}
    assert str(choices["training_record"]) == "Training record"


def test_the_signatures_are_a_chain_but_not_a_record_type_of_the_trail():
    assert Signature in chained_models()
    assert Signature not in audited_models()
