"""Where code lives: a reader finds each kind of thing in the module named for it."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from django import forms
from django.apps import apps
from django.conf import settings


def project_modules() -> list[str]:
    names = []
    for config in apps.get_app_configs():
        if not Path(config.path).is_relative_to(settings.BASE_DIR):
            continue
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
    project = {config.name for config in apps.get_app_configs() if Path(config.path).is_relative_to(settings.BASE_DIR)}
    misplaced = sorted(
        f"{form.__module__}.{form.__qualname__}"
        for form in subclasses(forms.BaseForm) | subclasses(forms.BaseFormSet)
        if form.__module__.split(".")[0] in project and form.__module__.rsplit(".", 1)[-1] != "forms"
    )
    assert misplaced == []
