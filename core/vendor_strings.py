"""Labels that installed apps show on our pages but ship no Japanese translation for.

Listing them here puts them in the project's catalog (locale/), which Django reads before the apps' own.
"""

from django.utils.translation import gettext_noop

VENDOR_STRINGS = [
    # django-axes: the login-throttling records in the admin.
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
]
