"""Keep personal calendar tokens out of the logs.

Werkzeug's request log (and gunicorn's access log) print every request's path, and the path of a
personal feed holds its secret. A filter on those loggers rewrites ``/feeds/personal/<token>`` to
``/feeds/personal/[hidden]`` before anything is written. A reverse proxy keeps its own access log:
the README says how to keep the token out of it.
"""

import logging
import re

PERSONAL_FEED_PATH = re.compile(r"(/feeds/personal/)[^/\s?\"']+")
HIDDEN = r"\1[hidden]"
REQUEST_LOGGERS = ("werkzeug", "gunicorn.access")


def redact(message: str) -> str:
    return PERSONAL_FEED_PATH.sub(HIDDEN, message)


class HidePersonalFeedTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        hidden = redact(message)
        if hidden != message:
            record.msg, record.args = hidden, ()
        return True


def install_log_redaction() -> None:
    """Add the filter to the request loggers (once, however many apps are created)."""
    for name in REQUEST_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(item, HidePersonalFeedTokens) for item in logger.filters):
            logger.addFilter(HidePersonalFeedTokens())
