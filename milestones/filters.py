from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.fields import PlausibleDateField, SafeModelChoiceField
from core.forms import BootstrapFilterForm
from core.widgets import DatePicker
from milestones.dashboard import chart_window
from partners import fiscal
from partners.forms import FiscalYearFields
from partners.models import Partnership, Site


class DashboardFilters(FiscalYearFields, BootstrapFilterForm):
    """The dashboard's filters. They live in the query string, so a filtered view can be shared or bookmarked."""

    partnership = SafeModelChoiceField(
        label=_("Partnership"), queryset=Partnership.objects.all(), required=False, empty_label=_("All")
    )
    site = SafeModelChoiceField(label=_("Site"), queryset=Site.objects.all(), required=False, empty_label=_("All"))
    start = PlausibleDateField(label=_("From"), required=False, widget=DatePicker())
    end = PlausibleDateField(label=_("To"), required=False, widget=DatePicker())

    field_order = ["partnership", "site", "start", "end", "year_basis", "fiscal_year"]

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            raise ValidationError({"end": _("The end of the window cannot be before its start.")}, code="window")
        # The headcount chart draws every quarter of the window, an open end counting as a year from today.
        basis = data.get("year_basis") or self.bases.get(self.initial.get("year_basis")) or fiscal.Basis()
        first, last = chart_window(start, end, basis.start_month, timezone.localdate())
        years = settings.DASHBOARD_MAX_WINDOW_YEARS
        if (last - first).days > 366 * years:
            if start and end:
                message = ngettext(
                    "Choose a window of at most %(years)d year.", "Choose a window of at most %(years)d years.", years
                )
            else:
                message = ngettext(
                    "Choose a window of at most %(years)d year (without both dates, it runs from or to a year "
                    "from today).",
                    "Choose a window of at most %(years)d years (without both dates, it runs from or to a year "
                    "from today).",
                    years,
                )
            raise ValidationError({"end" if end else "start": message % {"years": years}}, code="window_too_long")
        return data
