from __future__ import annotations

import logging

from django.apps import apps
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.signing import meanings_for, signable
from accounts.views import locked_out
from audit.versions import InvalidVersion, StaleVersion
from signatures import content, display
from signatures.forms import SignForm
from signatures.services import signature_create

log = logging.getLogger(__name__)


def signable_model(app_label: str, model_name: str):
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError:
        raise Http404 from None
    if not signable(model):
        raise Http404
    return model


@require_http_methods(["GET", "HEAD", "POST"])
def sign(request: HttpRequest, app_label: str, model_name: str, pk: int) -> HttpResponse:
    model = signable_model(app_label, model_name)
    if not request.user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}"):
        raise PermissionDenied
    record = get_object_or_404(model._default_manager, pk=pk)
    meanings = meanings_for(request.user, record)
    if not meanings:
        raise PermissionDenied
    signed = content.current_of(record)
    if signed is None:
        raise Http404
    form = SignForm(request.POST or None, request=request, meanings=meanings, initial={"version": signed.version})
    if request.method == "POST":
        if form.is_valid():
            try:
                signature_create(
                    record=record,
                    signer=request.user,
                    meaning=form.cleaned_data["meaning"],
                    opened_version=form.cleaned_data["version"],
                )
            except (StaleVersion, InvalidVersion) as error:
                form.add_error(None, ValidationError(error.message, code=error.code))
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Signed: %(record)s.") % {"record": record})
                return redirect(record.get_absolute_url())
        elif getattr(request, "axes_locked_out", False):
            log.warning("signing locked out: user %s on %s", request.user.pk, request.path)
            logout(request)
            return locked_out(request)
        elif "password" in form.errors:
            log.warning("signing refused, wrong password: user %s on %s", request.user.pk, request.path)
    context = {
        "record": record,
        "verbose_name": model._meta.verbose_name,
        "fields": display.fields_of(record),
        "form": form,
        "signed": signed,
        **display.panel(request.user, record),
        "sign_url": "",  # this is the signing page
    }
    return render(request, "signatures/sign.html", context, status=400 if form.errors else 200)
