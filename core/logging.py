"""Log filters: one line per client error, naming who asked for what."""

from __future__ import annotations

import logging


class ClientErrorsOnOneLine(logging.Filter):
    """Turns django.request's 4xx records into one line with the user and the path.

    A refused permission is an everyday event (a manager opening an import page), not a fault: its traceback only
    buries the real errors. Server errors (5xx) keep theirs.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        request = getattr(record, "request", None)
        if status is None or request is None or not 400 <= status < 500:
            return True
        record.exc_info = None
        record.exc_text = None
        user = getattr(request, "user", None)
        username = user.get_username() if user is not None and user.is_authenticated else "anonymous"
        record.msg = "%s %s %s (user: %s)"
        record.args = (status, request.method, request.get_full_path(), username)
        record.args = tuple(
            a.encode("unicode_escape").decode("ascii") if isinstance(a, str) else a for a in record.args
        )
        return True
