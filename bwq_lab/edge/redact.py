"""Secrets that travel in URLs never reach a log.

Calendar apps cannot send credentials, so a feed's secret token is part of its path
(``/feeds/<token>/mine.ics``). Request logs (``bwq serve``'s werkzeug log, gunicorn's access and
error logs, Flask's "Exception on <path>") would keep it; :class:`RedactSecrets` rewrites every
record on those loggers to ``/feeds/***/mine.ics`` before any handler formats it."""

from __future__ import annotations

import logging
import re

FEED_TOKEN_IN_PATH = re.compile(r"/feeds/(?!instruments/)[^/\s?#\"']+")
REDACTED = "/feeds/***"
#: the loggers that print request paths
LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error")


def redact(text: str) -> str:
    return FEED_TOKEN_IN_PATH.sub(REDACTED, text)


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record is logged as it is
            return True
        if "/feeds/" in message:
            record.msg = redact(message)
            record.args = None
        return True


def install(*loggers: logging.Logger) -> None:
    """Add the filter (once) to the request loggers and to ``loggers``."""
    for logger in (*(logging.getLogger(name) for name in LOGGERS), *loggers):
        if not any(isinstance(f, RedactSecrets) for f in logger.filters):
            logger.addFilter(RedactSecrets())
