"""``/api/``: one endpoint per exported dataset (api/datasets.py), the OpenAPI schema and its interactive docs."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from api.datasets import api_datasets
from api.views import viewset

app_name = "api"


class Router(DefaultRouter):
    include_format_suffixes = False


router = Router()
for name, dataset in api_datasets().items():
    router.register(name, viewset(dataset), basename=name)

machine = [*router.urls, path("schema/", SpectacularAPIView.as_view(), name="schema")]
# DRF signs the caller in inside the view (a token), after LoginRequiredMiddleware has run: an API view without
# credentials answers 401 itself rather than redirecting to the login page.
for pattern in machine:
    login_not_required(pattern.callback)

# The docs are a page for people: signed in with the session, like every other page (its script comes at ?script).
docs = SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="api/docs.html")
urlpatterns = [*machine, path("docs/", docs, name="docs")]
