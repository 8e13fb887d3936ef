from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from milestones.models import Milestone


@transaction.atomic
def milestone_save(*, milestone: Milestone) -> Milestone:
    """Check and save a milestone: the path every write takes (admin, demo data, imports, the API).

    ``Milestone.clean`` compares the baseline with the stored row; the row is locked first, so that another
    save cannot move the baseline between that check and this save.
    """
    if milestone.pk is not None:
        list(Milestone.objects.select_for_update().filter(pk=milestone.pk).values_list("pk"))
    milestone.full_clean()
    milestone.save()
    return milestone


@transaction.atomic
def milestone_set_dependencies(*, milestone: Milestone, depends_on: Iterable[Milestone]) -> None:
    """Replace what ``milestone`` waits on, refusing loops."""
    depends_on = list(depends_on)
    milestone.validate_dependencies(depends_on)
    milestone.dependencies.set(depends_on)
