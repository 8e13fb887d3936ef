"""The milestone calendar as RFC 5545 iCalendar, which Outlook and Google Calendar subscribe to."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from icalendar import Calendar, Event

from milestones.models import Milestone

PRODID = "-//Alliance Tracker//Milestones//EN"


def shown(day: datetime.date | None) -> str:
    return date_format(day, "SHORT_DATE_FORMAT") if day else "—"


def milestone_calendar(milestones: Iterable[Milestone], request: HttpRequest) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", _("Alliance milestones"))
    calendar.add("x-wr-timezone", timezone.get_current_timezone_name())
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
        event.add("summary", milestone.display_title + (f" [{rag.label}]" if rag else ""))
        lines = [
            _("Status: %(status)s") % {"status": milestone.get_status_display()},
            _("Baseline: %(day)s") % {"day": shown(milestone.baseline_date)},
            _("Forecast: %(day)s") % {"day": shown(milestone.forecast_date)},
            _("Actual: %(day)s") % {"day": shown(milestone.actual_date)},
            ngettext("Slip: %(days)s day", "Slip: %(days)s days", milestone.slip_days) % {"days": milestone.slip_days},
        ]
        if milestone.site:
            lines.append(_("Site: %(site)s") % {"site": milestone.site})
            event.add("location", str(milestone.site))
        event.add("description", "\n".join(lines))
        event.add("url", request.build_absolute_uri(milestone.get_absolute_url()))
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return calendar.to_ical()
