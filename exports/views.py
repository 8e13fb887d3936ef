from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.decorators import permission_required
from django.db.models import Model
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from exports.forms import FilterForm
from exports.limits import Budget, ExportsBusy, ExportTooSlow, acquire_slot, release_slot
from exports.services import ExportFile, evidence_pack, export_file
from exports.sources import FORMATS, LABELS, NAMES, source
from partners.fiscal import Basis

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "zip": "application/zip",
}
can_export = permission_required("exports.export_records", raise_exception=True)


def bad_filter(form: FilterForm) -> HttpResponse:
    message = _("Bad filter: %(errors)s") % {"errors": form.error_text()}
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


def shown(form: FilterForm, key: str, value: str) -> str:
    """A filter's value as the reader chose it: the site's name rather than its id, the label of a choice."""
    cleaned = form.cleaned_data.get(key)
    if isinstance(cleaned, Basis):
        return cleaned.label
    if isinstance(cleaned, Model):
        return str(cleaned)
    choices = getattr(form.fields[key], "choices", None)
    return str(dict(choices).get(value, value)) if choices else value


def filename(name: str, fmt: str) -> str:
    return f"{name}-{timezone.now():%Y%m%d-%H%M%S}.{fmt}"


@require_safe
@can_export
def index(request: HttpRequest) -> HttpResponse:
    form = FilterForm(request.GET or None)
    dataset = request.GET.get("dataset", "")
    counts = None
    if form.is_bound and form.is_valid() and dataset in NAMES:
        src = source(dataset, form.filters())
        applied = [(form.fields[key].label, shown(form, key, value)) for key, value in src.applied.items()]
        counts = {"dataset": dataset, "label": LABELS[dataset], "rows": src.count(), "applied": applied}
    query = request.GET.copy()
    query.pop("dataset", None)
    return render(
        request,
        "exports/index.html",
        {
            "form": form,
            "datasets": [(name, LABELS[name]) for name in NAMES],
            "dataset": dataset,
            "formats": FORMATS,
            "counts": counts,
            "query": query.urlencode(),
            # The filters again, as hidden fields of the forms that ask for a background job.
            "carried": [(key, value) for key, value in query.items() if value],
            "direct_max_rows": settings.EXPORT_DIRECT_MAX_ROWS,
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@require_safe
@can_export
def download(request: HttpRequest, dataset: str, fmt: str) -> HttpResponse:
    if dataset not in NAMES or fmt not in FORMATS:
        raise Http404
    form = FilterForm(request.GET)
    if not form.is_valid():
        return bad_filter(form)
    filters = form.filters()
    return _bounded(
        request,
        lambda budget: export_file(name=dataset, fmt=fmt, filters=filters, user=request.user, budget=budget),
        filename(dataset, fmt),
        CONTENT_TYPES[fmt],
    )


@require_safe
@can_export
def evidence(request: HttpRequest) -> HttpResponse:
    form = FilterForm(request.GET)
    if not form.is_valid():
        return bad_filter(form)
    filters = form.filters()
    return _bounded(
        request,
        lambda budget: evidence_pack(filters=filters, user=request.user, budget=budget),
        filename("evidence", "zip"),
        CONTENT_TYPES["zip"],
    )


def _bounded(request: HttpRequest, produce: Callable[[Budget], ExportFile], name: str, content_type: str):
    """Produce an export in one of the user's slots and within the time budget, or say why not.

    The slot is held until the response is closed: after the file is sent, or when the client goes away.
    """
    try:
        slot = acquire_slot(request.user)
    except ExportsBusy as busy:
        context = {"limit": settings.EXPORT_SLOTS_PER_USER, "retry_after": busy.retry_after}
        response = render(request, "exports/busy.html", context, status=429)
        response["Retry-After"] = str(busy.retry_after)
        return response
    try:
        result = produce(Budget.for_web())
    except ExportTooSlow:
        release_slot(slot)
        context = {"seconds": settings.EXPORT_TIME_BUDGET_SECONDS}
        return render(request, "exports/too_slow.html", context, status=503)
    except BaseException:
        release_slot(slot)
        raise
    result.closers.append(lambda: release_slot(slot))
    try:
        return _send(result, name, content_type)
    except BaseException:
        result.close()
        raise


def _send(result: ExportFile, name: str, content_type: str) -> FileResponse:
    response = FileResponse(result, as_attachment=True, filename=name, content_type=content_type)
    response["X-Row-Count"] = str(result.rows)
    response["X-Content-SHA256"] = result.sha256
    return response
