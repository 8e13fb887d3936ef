from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from audit.trail import trail_for
from governance.forms import DecisionLogFilters, RiskFilters
from governance.models import Action, Decision, Meeting, Risk
from partners.models import Person
from signatures.display import panel as signatures_panel

ROWS_PER_PAGE = 50


def _page(request: HttpRequest, rows):
    query = request.GET.copy()
    query.pop("page", None)
    return Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page")), query.urlencode()


@require_safe
@permission_required("governance.view_decision", raise_exception=True)
def decision_log(request: HttpRequest) -> HttpResponse:
    """Every decision, newest first: search, filter by partnership, status and year; prints."""
    form = DecisionLogFilters(request.GET or None)
    valid = form.is_valid() if form.is_bound else True
    data = form.cleaned_data if form.is_bound and valid else {}
    decisions = Decision.objects.for_list().filtered(partnership=data.get("partnership"))
    if data.get("q"):
        decisions = decisions.search(data["q"])
    if data.get("status"):
        decisions = decisions.filter(status=data["status"])
    if data.get("year"):
        decisions = decisions.filter(year=data["year"])
    page, query = _page(request, decisions)
    context = {"form": form, "page": page, "query": query}
    return render(request, "governance/decision_log.html", context, status=200 if valid else 400)


@require_safe
@permission_required("governance.view_decision", raise_exception=True)
def decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    decisions = Decision.objects.for_list().prefetch_related(
        "milestones",
        "sites",
        "exchanges__person",
        "exchanges__host_company",
        "supersedes",
        Prefetch("actions", Action.objects.select_related("owner")),
    )
    decision = get_object_or_404(decisions, pk=pk)
    show_trail = request.user.has_perm("audit.view_audit_trail")
    return render(
        request,
        "governance/decision_detail.html",
        {
            "decision": decision,
            "today": timezone.localdate(),
            "entries": trail_for(Decision, decision.pk) if show_trail else None,
            # Who approved it: a co-chair of each party signs "approved" (signatures/decisions.py).
            **signatures_panel(request.user, decision),
        },
    )


@require_safe
@permission_required("governance.view_meeting", raise_exception=True)
def meeting_list(request: HttpRequest) -> HttpResponse:
    page, query = _page(request, Meeting.objects.for_list())
    return render(request, "governance/meeting_list.html", {"page": page, "query": query})


@require_safe
@permission_required("governance.view_meeting", raise_exception=True)
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meetings = Meeting.objects.for_list().prefetch_related(
        Prefetch("attendees", queryset=Person.objects.select_related("employer")),
        Prefetch("decisions", Decision.objects.select_related("superseded_by")),
        Prefetch("actions", Action.objects.select_related("owner", "decision")),
    )
    meeting = get_object_or_404(meetings, pk=pk)
    show_trail = request.user.has_perm("audit.view_audit_trail")
    return render(
        request,
        "governance/meeting_detail.html",
        {
            "meeting": meeting,
            "today": timezone.localdate(),
            "entries": trail_for(Meeting, meeting.pk) if show_trail else None,
        },
    )


@require_safe
@permission_required("governance.view_action", raise_exception=True)
def my_actions(request: HttpRequest) -> HttpResponse:
    """The signed-in user's actions: open ones first, by due date."""
    person = getattr(request.user, "person", None)
    actions = (
        Action.objects.for_list().filter(owner=person).order_by("-status", "due_on")[:200] if person is not None else []
    )
    return render(
        request,
        "governance/my_actions.html",
        {"person": person, "actions": actions, "today": timezone.localdate()},
    )


@require_safe
@permission_required("governance.view_risk", raise_exception=True)
def risk_register(request: HttpRequest) -> HttpResponse:
    """The risk register: highest score first; filter by partnership, status and category; prints."""
    form = RiskFilters(request.GET or None)
    valid = form.is_valid() if form.is_bound else True
    data = form.cleaned_data if form.is_bound and valid else {}
    risks = Risk.objects.for_list().with_score().filtered(partnership=data.get("partnership"))
    if data.get("status"):
        risks = risks.filter(status=data["status"])
    if data.get("category"):
        risks = risks.filter(category=data["category"])
    risks = risks.prefetch_related("milestones").order_by("-score_value", "review_on", "pk")
    page, query = _page(request, risks)
    context = {"form": form, "page": page, "query": query, "today": timezone.localdate()}
    return render(request, "governance/risk_register.html", context, status=200 if valid else 400)
