from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from audit.reasons import validate_reason
from partners.models import Capability, Company, Exchange, Partnership, Person


@transaction.atomic
def partnership_set_parties(*, partnership: Partnership, parties: Iterable[Company]) -> None:
    """Replace the parties of ``partnership``; the change joins its audit trail with the instance's reason."""
    parties = list(parties)
    Partnership.validate_parties(parties)
    partnership.parties.set(parties)


@transaction.atomic
def exchange_save(*, exchange: Exchange) -> Exchange:
    """Check and save an exchange, fixing its direction: the parties its person and host company act for now.

    The direction is stored rather than read through the employer, so that it stays what it was when
    the exchange happened; every save re-derives it from the record as it stands.
    """
    exchange.full_clean()
    exchange_set_parties(exchange=exchange)
    exchange.save()
    return exchange


def exchange_set_parties(*, exchange: Exchange) -> None:
    """Write the direction onto a checked exchange (clean() has refused one whose parties cannot be found)."""
    exchange.home_party, exchange.host_party = exchange.parties()


@transaction.atomic
def capability_delete(*, capability: Capability, reason: str, user=None) -> None:
    """Delete a capability, first taking it off every site that has it, each site's trail saying so and why.

    Deleting the capability alone would drop its links to sites in one statement that no site's history
    sees: the sites' trails would still list a capability they no longer have.
    """
    validate_reason(reason)
    for site in capability.sites.all():
        site._change_reason = reason
        if user is not None:
            site._history_user = user
        site.capabilities.remove(capability)
    capability._change_reason = reason
    if user is not None:
        capability._history_user = user
    capability.delete()


@transaction.atomic
def partnership_set_co_chairs(*, partnership: Partnership, co_chairs: Iterable[Person]) -> None:
    """Replace who co-chairs ``partnership``: people of its parties only."""
    co_chairs = list(co_chairs)
    partnership.validate_people(co_chairs, code="co_chair_not_party")
    partnership.co_chairs.set(co_chairs)
