"""Where a server's logs go: one line each on stderr, the access log (web/access_log.py) at INFO,
refusals (web/security.py) and errors as before. For `betrokken serve` and the gunicorn
configuration (betrokken/gunicorn_conf.py); a process whose logging is already set up keeps it."""

from __future__ import annotations

import logging
import sys

FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def configure_logging() -> None:
    """Send the `betrokken` loggers (access log included) to stderr, unless something already did."""
    logger = logging.getLogger("betrokken")
    if logger.handlers or logging.getLogger().handlers:
        logger.setLevel(min(logger.getEffectiveLevel(), logging.INFO))
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
