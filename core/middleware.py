from __future__ import annotations

from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    """Nothing the app itself answers is kept by a browser or a shared cache.

    Pages, exports (people.csv carries emails) and the calendar feed are private to whoever asked: a shared
    cache must not serve them to the next person, nor a browser keep them on disk after logout. Static files
    never reach this middleware (WhiteNoise, above it, answers them with its own long-lived caching).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # Overrides any max-age a view set: "no-store, private" with no-cache, must-revalidate and max-age=0.
        add_never_cache_headers(response)
        return response
