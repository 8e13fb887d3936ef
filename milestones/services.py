from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from milestones.models import Milestone


@transaction.atomic
def milestone_set_dependencies(*, milestone: Milestone, depends_on: Iterable[Milestone]) -> None:
    """Replace what ``milestone`` waits on, refusing loops."""
    depends_on = list(depends_on)
    milestone.validate_dependencies(depends_on)
    milestone.dependencies.set(depends_on)
