from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.db.models import Model
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from exports.filters import FilterForm
from exports.services import evidence_pack, export_file, record_export
from exports.sources import FORMATS, LABELS, NAMES, source
from exports.writers import json_chunks
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
    if fmt == "json":
        src = source(dataset, filters)
        rows = src.count()
        record_export(user=request.user, dataset=dataset, fmt=fmt, filters=src.applied, rows=rows)
        meta = {"dataset": dataset, "exported_at": timezone.now().isoformat(timespec="seconds"), "filters": src.applied}
        response = StreamingHttpResponse(json_chunks(src, meta), content_type=CONTENT_TYPES[fmt])
        response["Content-Disposition"] = f'attachment; filename="{filename(dataset, fmt)}"'
        response["X-Row-Count"] = str(rows)
        return response
    result = export_file(name=dataset, fmt=fmt, filters=filters, user=request.user)
    return _send(result, filename(dataset, fmt), CONTENT_TYPES[fmt])


@require_safe
@can_export
def evidence(request: HttpRequest) -> HttpResponse:
    form = FilterForm(request.GET)
    if not form.is_valid():
        return bad_filter(form)
    result = evidence_pack(filters=form.filters(), user=request.user)
    return _send(result, filename("evidence", "zip"), CONTENT_TYPES["zip"])


def _send(result, name: str, content_type: str) -> FileResponse:
    response = FileResponse(result.file, as_attachment=True, filename=name, content_type=content_type)
    response["X-Row-Count"] = str(result.rows)
    response["X-Content-SHA256"] = result.sha256
    return response
