import warnings

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DigestsConfig(AppConfig):
    name = "digests"
    verbose_name = _("Email digests")

    def ready(self) -> None:
        from digests import checks  # noqa: F401  (registers the deploy check of SITE_URL)

        # rq-scheduler asks crontab for each next run without saying how to read a naive time, and crontab warns, in
        # every process that schedules, that a later version will read it as UTC. The version is pinned
        # (requirements.txt) and reads it as local time, which Django sets to TIME_ZONE: the schedule the operator
        # registered. Look again before upgrading crontab.
        warnings.filterwarnings(
            "ignore", message=r"Version 0\.22\.0\+ of crontab", category=FutureWarning, module="rq_scheduler.utils"
        )
