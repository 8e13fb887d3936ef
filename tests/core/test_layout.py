"""Where code and rules live: a reader finds each in the one place named for it."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from django import forms
from django.apps import apps
from django.conf import settings
from django.db.models import CheckConstraint, Choices


def project_apps() -> list:
    # Installed packages are not the project's, even when the virtualenv sits in the project folder.
    return [
        config
        for config in apps.get_app_configs()
        if Path(config.path).is_relative_to(settings.BASE_DIR) and "site-packages" not in Path(config.path).parts
    ]


def project_modules() -> list[str]:
    names = []
    for config in project_apps():
        names.append(config.name)
        for module in pkgutil.walk_packages([config.path], prefix=f"{config.name}."):
            if ".migrations" not in module.name:
                names.append(module.name)
    return names


def subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= subclasses(sub)
    return found


def test_every_form_class_of_the_project_is_defined_in_a_forms_module():
    for name in project_modules():
        importlib.import_module(name)
    project = {config.name for config in project_apps()}
    misplaced = sorted(
        f"{form.__module__}.{form.__qualname__}"
        for form in subclasses(forms.BaseForm) | subclasses(forms.BaseFormSet)
        if form.__module__.split(".")[0] in project and form.__module__.rsplit(".", 1)[-1] != "forms"
    )
    assert misplaced == []


def compared_values(condition):
    """(lookup, value) for every comparison in a constraint's condition, however deeply nested."""
    for child in condition.children:
        if isinstance(child, tuple):
            yield child
        else:
            yield from compared_values(child)


def test_check_constraints_name_choice_values_by_their_members():
    literals = []
    for model in apps.get_models():
        for constraint in model._meta.constraints:
            if not isinstance(constraint, CheckConstraint):
                continue
            for lookup, value in compared_values(constraint.condition):
                field = model._meta.get_field(lookup.split("__")[0])
                values = value if isinstance(value, (list, tuple, set)) else [value]
                if field.choices and not all(isinstance(v, Choices) for v in values):
                    literals.append(f"{constraint.name}: {lookup}={value!r}")
    assert literals == []


# The house style splits a module into a package by concern once it passes about this many lines.
MODULE_LINES = 400


def test_no_module_of_the_project_outgrows_a_split():
    long = []
    for name in project_modules():
        path = Path(importlib.import_module(name).__file__)
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MODULE_LINES:
            long.append(f"{path.relative_to(settings.BASE_DIR)}: {lines}")
    assert long == []
