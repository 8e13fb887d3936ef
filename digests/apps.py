from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DigestsConfig(AppConfig):
    name = "digests"
    verbose_name = _("Email digests")

    def ready(self) -> None:
        from digests import checks  # noqa: F401  (registers the deploy check of SITE_URL)
