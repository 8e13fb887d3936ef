from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from audit.trail import audited_model, trail_for


@require_safe
def trail(request: HttpRequest, app_label: str, model_name: str, pk: int) -> HttpResponse:
    model = audited_model(app_label, model_name)
    opts = model._meta
    if not (
        request.user.has_perm("audit.view_audit_trail")
        and request.user.has_perm(f"{opts.app_label}.view_{opts.model_name}")
    ):
        raise PermissionDenied
    entries = trail_for(model, pk)
    current = model._default_manager.filter(pk=pk).first()
    last = model.history.filter(**{opts.pk.attname: pk}).order_by("-history_date", "-chain_seq").first()
    if current is None and last is None:
        raise Http404
    label = str(current) if current is not None else str(last.instance)
    return render(
        request,
        "audit/trail.html",
        {"entries": entries, "label": label, "opts": opts, "pk": pk, "deleted": current is None},
    )
