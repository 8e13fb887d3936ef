from __future__ import annotations

from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from audit.admin import AuditedAdmin
from partners.forms import PartnershipForm
from partners.models import Capability, Company, Exchange, Partnership, PartnershipParty, Person, Site
from partners.models.exchange import direction_label
from partners.services import capability_delete, exchange_set_parties, partnership_set_parties


@admin.register(Company)
class CompanyAdmin(AuditedAdmin):
    list_display = ["name", "name_ja", "short_name", "parent", "kind", "fiscal_year_start_month", "city", "country"]
    list_filter = ["kind", "country"]
    list_select_related = ["parent"]
    search_fields = ["name", "name_ja", "short_name"]
    autocomplete_fields = ["parent"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Partnership)
class PartnershipAdmin(AuditedAdmin):
    list_display = ["name", "status", "announced_on", "signed_on"]
    list_filter = ["status"]
    search_fields = ["name", "name_ja", "scope"]
    form = PartnershipForm
    autocomplete_fields = ["co_chairs"]
    fieldsets = [
        (None, {"fields": ["name", "name_ja", "party_companies", "status", "announced_on", "signed_on", "scope"]}),
        (_("Steering committee"), {"fields": ["co_chairs"]}),
    ]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        partnership_set_parties(partnership=form.instance, parties=form.cleaned_data["party_companies"])


@admin.register(Capability)
class CapabilityAdmin(AuditedAdmin):
    list_display = ["name", "code"]
    search_fields = ["name"]
    prepopulated_fields = {"code": ["name"]}

    def delete_model(self, request, obj):
        capability_delete(capability=obj, reason=request._audit_delete_reason, user=request.user)


@admin.register(Site)
class SiteAdmin(AuditedAdmin):
    list_display = ["name", "name_ja", "company", "city", "country", "status", "operational_since"]
    list_filter = ["status", "company", "capabilities"]
    list_select_related = ["company"]
    search_fields = ["name", "name_ja", "city", "company__name", "company__short_name"]
    autocomplete_fields = ["company"]
    filter_horizontal = ["capabilities"]


@admin.register(Person)
class PersonAdmin(AuditedAdmin):
    list_display = ["name", "name_ja", "employer", "home_site", "function", "job_title", "active"]
    list_filter = ["active", "function", "employer"]
    list_select_related = ["employer", "home_site__company"]
    search_fields = ["name", "name_ja", "email", "job_title"]
    indexed_search = True  # trigram indexes on PostgreSQL (core/search.py)
    ordering = ["name", "pk"]  # served by the person_name index
    show_full_result_count = False
    autocomplete_fields = ["employer", "home_site", "user"]

    def get_readonly_fields(self, request, obj=None):
        # Linking a login to a person lets it own actions and co-chair: an access change, for those who manage logins.
        readonly = list(super().get_readonly_fields(request, obj))
        return readonly if request.user.has_perm("auth.change_user") else [*readonly, "user"]


class DirectionFilter(admin.SimpleListFilter):
    title = _("direction")
    parameter_name = "direction"

    def lookups(self, request, model_admin):
        links = PartnershipParty.objects.select_related("company").order_by("company__short_name")
        parties = {link.company for link in links}
        return [
            (f"{home.pk}-{host.pk}", direction_label(home.short_name, host.short_name))
            for home in sorted(parties, key=lambda c: c.short_name)
            for host in sorted(parties, key=lambda c: c.short_name)
            if home != host
        ]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        home, _sep, host = self.value().partition("-")
        if not (home.isdigit() and host.isdigit()):
            return queryset.none()
        return queryset.filter(home_party_id=home, host_party_id=host)


@admin.register(Exchange)
class ExchangeAdmin(AuditedAdmin):
    list_display = [
        "person",
        "direction",
        "host_site",
        "planned_start",
        "planned_end",
        "status",
    ]
    list_filter = [
        "status",
        DirectionFilter,
        "kind",
        "purpose",
        "function_area",
        # Every site, not only those that hosted: listing those read every exchange on every page.
        "host_site",
        "planned_start",
        "actual_start",
    ]
    list_select_related = ["person", "home_party", "host_party", "host_site__company"]
    search_fields = ["person__name", "person__name_ja", "person__email", "objectives"]
    # Each table's matches through its trigram indexes on PostgreSQL, not an OR across the join (core/search.py).
    indexed_search = True
    autocomplete_fields = ["person", "host_company", "host_site", "host_supervisor"]
    # The list at the stock admin's speed: a page read through the exchange_planned_start index (not a sort of
    # every row joined to its person), no second count of the whole table, and no date hierarchy, whose year
    # links read every row's date (the date filters give the same cut).
    ordering = ["-planned_start", "-pk"]
    show_full_result_count = False
    readonly_fields = ["direction"]
    fieldsets = [
        (None, {"fields": ["person", "partnership", "kind", "purpose", "function_area"]}),
        (_("Host"), {"fields": ["host_company", "host_site", "host_supervisor"]}),
        (
            _("Dates and status"),
            {"fields": [("planned_start", "planned_end"), ("actual_start", "actual_end"), "status"]},
        ),
        (_("Objectives and outcome"), {"fields": ["objectives", "outcome"]}),
    ]

    @admin.display(description=_("direction"), ordering="home_party__short_name")
    def direction(self, exchange: Exchange) -> str:
        return exchange.direction if exchange.home_party_id else "—"

    def save_model(self, request, obj, form, change):
        # The form has run full_clean(); what is left of services.exchange_save() is fixing the direction.
        exchange_set_parties(exchange=obj)
        super().save_model(request, obj, form, change)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        return [(None, {"fields": ["direction"]}), *fieldsets]

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        # Nearly every exchange belongs to the one active partnership: preselect it.
        active = list(Partnership.objects.filter(status=Partnership.Status.ACTIVE)[:2])
        if len(active) == 1:
            initial.setdefault("partnership", active[0].pk)
        return initial
