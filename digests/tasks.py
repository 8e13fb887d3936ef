"""The digests as a background task (Django's tasks API), for set-ups that schedule it instead of cron."""

from __future__ import annotations

from collections import Counter

from django.utils import timezone
from django_tasks import task

from digests.services import send_all


@task()
def send_digests() -> dict[str, int]:
    """What `manage.py send_digests` does, for each user's today: how many users had each outcome."""
    return dict(Counter(outcome.result.value for outcome in send_all(now=timezone.now())))
