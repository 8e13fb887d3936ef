from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from partners.models import Company, Partnership


@transaction.atomic
def partnership_set_parties(*, partnership: Partnership, parties: Iterable[Company]) -> None:
    """Replace the parties of ``partnership``; the change joins its audit trail with the instance's reason."""
    parties = list(parties)
    Partnership.validate_parties(parties)
    partnership.parties.set(parties)
