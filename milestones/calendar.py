"""The milestone calendar as RFC 5545 iCalendar, which Outlook and Google Calendar subscribe to."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.http import HttpRequest
from django.utils import timezone
from icalendar import Calendar, Event

from milestones.models import Milestone

PRODID = "-//Alliance Tracker//Milestones//EN"


def milestone_calendar(milestones: Iterable[Milestone], request: HttpRequest) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", "Alliance milestones")
    calendar.add("x-wr-timezone", "Asia/Tokyo")
    stamp = timezone.now()
    host = request.get_host().split(":")[0]
    for milestone in milestones:
        day = milestone.expected_date
        rag = milestone.rag()
        event = Event()
        event.add("uid", f"milestone-{milestone.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", day)
        event.add("dtend", day + datetime.timedelta(days=1))
        event.add("summary", f"{milestone.title}" + (f" [{rag.label}]" if rag else ""))
        lines = [
            f"Status: {milestone.get_status_display()}",
            f"Baseline: {milestone.baseline_date.isoformat()}",
            f"Forecast: {milestone.forecast_date.isoformat() if milestone.forecast_date else '—'}",
            f"Actual: {milestone.actual_date.isoformat() if milestone.actual_date else '—'}",
            f"Slip: {milestone.slip_days} days",
        ]
        if milestone.site:
            lines.append(f"Site: {milestone.site}")
            event.add("location", str(milestone.site))
        event.add("description", "\n".join(lines))
        event.add("url", request.build_absolute_uri(milestone.get_absolute_url()))
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return calendar.to_ical()
