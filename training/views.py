from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from accounts.signing import meanings_for
from partners.models import Person, Site
from signatures import display as signature_display
from training.forms import MatrixFilters
from training.models import Curriculum, Requirement, TrainingRecord
from training.status import clearances, matrix

PEOPLE_PER_PAGE = 100


def curricula_for(function: str | None, site: Site | None):
    curricula = Curriculum.objects.all()
    if function:
        curricula = curricula.filter(function=function)
    if site:
        curricula = curricula.filter(Q(site=site) | Q(site__isnull=True))
    return curricula


@require_safe
@permission_required("training.view_trainingrecord", raise_exception=True)
def training_matrix(request: HttpRequest) -> HttpResponse:
    """People × requirements, the status in each cell; filter by site and function; prints."""
    form = MatrixFilters(request.GET or None)
    valid = form.is_valid() if form.is_bound else True
    data = form.cleaned_data if form.is_bound and valid else {}
    site, function = data.get("site"), data.get("function") or None
    day = data.get("as_of") or timezone.localdate()
    people = Person.objects.filter(active=True).select_related("employer", "home_site__company").order_by("name")
    if site:
        people = people.filter(home_site=site)
    if function:
        people = people.filter(function=function)
    requirements = Requirement.objects.order_by("code")
    if site or function:
        requirements = requirements.filter(curricula__in=curricula_for(function, site)).distinct()
    requirements = list(requirements)
    page = Paginator(people, PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    grid = matrix([p.pk for p in page], requirements, day)
    rows = [(person, [grid[(person.pk, r.pk)] for r in requirements]) for person in page]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "training/matrix.html",
        {
            "form": form,
            "requirements": requirements,
            "rows": rows,
            "page": page,
            "day": day,
            "query": query.urlencode(),
        },
        status=200 if valid else 400,
    )


@require_safe
@permission_required("training.view_trainingrecord", raise_exception=True)
def person_training(request: HttpRequest, pk: int) -> HttpResponse:
    """One person's records, and whether they are cleared for each curriculum of their function and site."""
    person = get_object_or_404(Person.objects.select_related("employer", "home_site__company"), pk=pk)
    day = timezone.localdate()
    records = list(
        TrainingRecord.objects.filter(person=person)
        .select_related("requirement", "version", "trainer", "evaluator")
        .order_by("-completed_on")
    )
    signed = signature_display.by_record(TrainingRecord, [record.pk for record in records])
    records = [
        (
            record,
            signed.get(record.pk, []),
            signature_display.sign_url(record) if meanings_for(request.user, record) else "",
        )
        for record in records
    ]
    curricula = list(curricula_for(person.function, person.home_site).prefetch_related("requirements"))
    status = [(curriculum, clearances([person.pk], curriculum, day)[person.pk]) for curriculum in curricula]
    return render(
        request, "training/person.html", {"person": person, "records": records, "curricula": status, "day": day}
    )
