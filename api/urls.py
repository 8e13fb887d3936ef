"""``/api/``: one endpoint per exported dataset (api/datasets.py), the OpenAPI schema and its interactive docs."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.urls import path
from django.utils.translation import gettext_lazy as _
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

# DRF signs the caller in inside the view (a token), so it exempts its views from LoginRequiredMiddleware: an API
# view without credentials answers 401 itself rather than redirecting to the login page.
# The docs are a page for people, so they send a visitor to the login page (their script comes at ?script).
# Its title in the reader's language (the schema's own, SPECTACULAR_SETTINGS["TITLE"], is for machines).
docs = login_required(
    SpectacularSwaggerSplitView.as_view(
        url_name="api:schema", template_name="api/docs.html", title=_("Alliance Tracker API")
    )
)
urlpatterns = [
    *router.urls,
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", docs, name="docs"),
]
