"""A digest as an email: plain text and HTML, in the reader's language, with absolute links into the app."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from digests.sections import Digest


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def message_for(digest: Digest, user) -> EmailMultiAlternatives:
    """The email, rendered in the active language and time zone (the caller sets the user's)."""
    context = {
        "digest": digest,
        "user": user,
        "site": settings.SITE_URL,
        "dashboard_url": absolute(reverse("milestones:dashboard")),
        "preferences_url": absolute(reverse("accounts:preferences")),
    }
    subject = _("Alliance Tracker: your digest for %(day)s") % {"day": date_format(digest.day, "DATE_FORMAT")}
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("digests/digest.txt", context),
        to=[user.email],
        headers={
            # RFC 3834: no out-of-office replies to a machine; RFC 2369: where to stop these emails.
            "Auto-Submitted": "auto-generated",
            "List-Unsubscribe": f"<{context['preferences_url']}>",
        },
    )
    message.attach_alternative(render_to_string("digests/digest.html", context), "text/html")
    return message
