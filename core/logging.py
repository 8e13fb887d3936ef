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


class SignInEventsOnly(logging.Filter):
    """Keeps django-axes' sign-in, sign-out and failure lines; drops its housekeeping.

    A successful sign-in made axes print four lines ("Successful login", then "Cleaned up 0 expired…",
    "Reset 0 access attempts…", "Deleted 0 failed login attempts…"): one event, one line. Failures and lock-outs are
    warnings and always pass. A handler's filter: a logger's own filters never see its children's records.
    """

    EVENTS = ("AXES: Successful login", "AXES: Successful logout")

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name != "axes" and not record.name.startswith("axes."):
            return True
        return record.levelno >= logging.WARNING or str(record.msg).startswith(self.EVENTS)
