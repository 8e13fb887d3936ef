"""The export-job pages: ask for a job, watch it, take its file. Each job is seen by its requester (and admins)."""

from __future__ import annotations

from django.conf import settings
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_safe

from exports import jobs
from exports.filters import FilterForm
from exports.models import ExportJob
from exports.views import CONTENT_TYPES, bad_filter, can_export


@require_http_methods(["GET", "HEAD", "POST"])
@can_export
def job_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _create(request)
    mine = ExportJob.objects.filter(requester=request.user)[:50]
    return render(request, "exports/job_list.html", {"jobs": mine, "keep_hours": settings.EXPORT_JOB_KEEP_HOURS})


def _create(request: HttpRequest) -> HttpResponse:
    dataset, fmt = request.POST.get("dataset", ""), request.POST.get("format", "")
    if not jobs.valid_request(dataset, fmt):
        message = _("Unknown dataset or format: %(dataset)s.%(format)s") % {"dataset": dataset, "format": fmt}
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
    form = FilterForm(request.POST)
    if not form.is_valid():
        return bad_filter(form)
    try:
        job = jobs.job_create(requester=request.user, dataset=dataset, fmt=fmt, filters=form.filters().as_dict())
    except jobs.TooManyJobs:
        return render(request, "exports/jobs_busy.html", {"limit": settings.EXPORT_JOBS_PER_USER}, status=429)
    return SeeOther(job.get_absolute_url())


class SeeOther(HttpResponseRedirect):
    """303: the browser follows it with a GET, so reloading the job page never asks for a second job."""

    status_code = 303


def _visible(request: HttpRequest, pk: int) -> ExportJob:
    """The job, if this user may see it; anyone else's is a 404, so job numbers reveal nothing."""
    return get_object_or_404(ExportJob.objects.visible_to(request.user).select_related("requester"), pk=pk)


@require_safe
@can_export
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _visible(request, pk)
    return render(request, "exports/job_detail.html", {"job": job, "rows_done": jobs.rows_done(job)})


@require_safe
@can_export
def job_status(request: HttpRequest, pk: int) -> JsonResponse:
    job = _visible(request, pk)
    return JsonResponse(status_of(job))


def status_of(job: ExportJob) -> dict:
    done = jobs.rows_done(job)
    return {
        "id": job.pk,
        "state": job.state,
        "state_label": str(job.get_state_display()),
        "rows_done": done,
        "rows_expected": job.rows_expected,
        "finished": job.finished,
        "download": reverse("exports:job_download", args=[job.pk]) if job.state == ExportJob.State.DONE else None,
        "sha256": job.sha256 or None,
        "size": job.size,
        "error": _(job.error) if job.error else None,
    }


@require_GET  # not HEAD: each download is recorded
@can_export
def job_download(request: HttpRequest, pk: int) -> FileResponse:
    job = _visible(request, pk)
    if job.state != ExportJob.State.DONE:
        raise Http404
    response = FileResponse(
        jobs.job_download(job, request.user),
        as_attachment=True,
        filename=job.file_label,
        content_type=CONTENT_TYPES[job.format],
    )
    response["X-Content-SHA256"] = job.sha256
    return response
