from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from audit.trail import trail_for
from partners.models import Exchange
from signatures.display import panel as signatures_panel


@require_safe
@permission_required("partners.view_exchange", raise_exception=True)
def exchange_detail(request: HttpRequest, pk: int) -> HttpResponse:
    exchange = get_object_or_404(Exchange.objects.for_list().select_related("partnership", "host_supervisor"), pk=pk)
    show_trail = request.user.has_perm("audit.view_audit_trail")
    return render(
        request,
        "partners/exchange_detail.html",
        {
            "exchange": exchange,
            "entries": trail_for(Exchange, exchange.pk) if show_trail else None,
            **signatures_panel(request.user, exchange),
        },
    )
