"""Writes that span several rows: numbering a decision, and the many-to-many links each record carries."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Max

from governance.models import Decision, Meeting, Risk
from governance.models.decision import decision_year
from milestones.models import Milestone
from partners.models import Exchange, Partnership, Person, Site


@transaction.atomic
def decision_save(*, decision: Decision) -> Decision:
    """Check and save a decision; a new one first takes the next number of its committee's series that year.

    The partnership's row is locked while the number is chosen, so two decisions saved at the same moment wait for
    each other instead of taking the same number (the unique constraints would refuse the second one anyway).
    """
    if decision.pk is None:
        Partnership.objects.select_for_update().filter(pk=decision.partnership_id).first()
        decision.year = decision_year(decision)
        last = Decision.objects.filter(
            partnership_id=decision.partnership_id, body=decision.body, year=decision.year
        ).aggregate(last=Max("sequence"))["last"]
        decision.sequence = (last or 0) + 1
        decision.number = Decision.format_number(decision.body, decision.year, decision.sequence)
    decision.full_clean()
    decision.save()
    return decision


@transaction.atomic
def decision_set_concerns(
    *,
    decision: Decision,
    milestones: Iterable[Milestone] = (),
    sites: Iterable[Site] = (),
    exchanges: Iterable[Exchange] = (),
) -> None:
    """Replace what a decision concerns; each change joins its trail with the decision's reason."""
    milestones, sites, exchanges = list(milestones), list(sites), list(exchanges)
    decision.validate_concerns(milestones=milestones, sites=sites, exchanges=exchanges)
    decision.milestones.set(milestones)
    decision.sites.set(sites)
    decision.exchanges.set(exchanges)


@transaction.atomic
def meeting_set_attendees(*, meeting: Meeting, attendees: Iterable[Person]) -> None:
    attendees = list(attendees)
    meeting.validate_attendees(attendees)
    meeting.attendees.set(attendees)


@transaction.atomic
def risk_set_milestones(*, risk: Risk, milestones: Iterable[Milestone]) -> None:
    milestones = list(milestones)
    risk.validate_milestones(milestones)
    risk.milestones.set(milestones)
