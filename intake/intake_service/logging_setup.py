"""Logging configuration: every handler masks personal data (see :class:`pii.PiiLogFilter`)."""

from __future__ import annotations

import logging.config
from typing import Any

__all__ = ["configure_logging", "logging_config"]


def logging_config(level: str = "INFO") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` mapping, also handed to uvicorn as its ``log_config``.

    Args:
        level: the level of the service's own loggers.
    """
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"pii": {"()": "intake_service.pii.PiiLogFilter"}},
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        },
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "plain",
                "filters": ["pii"],
                "stream": "ext://sys.stderr",
            },
        },
        "loggers": {
            "intake_service": {"level": level, "handlers": ["stderr"], "propagate": False},
            "uvicorn": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
            "uvicorn.error": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
            "uvicorn.access": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
        },
        "root": {"level": "WARNING", "handlers": ["stderr"]},
    }


def configure_logging(level: str = "INFO") -> None:
    """Applies :func:`logging_config` to the running process."""
    logging.config.dictConfig(logging_config(level))
