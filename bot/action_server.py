"""The action server: Rasa SDK's command line, with its loaded objects frozen for the collector.

``python -m bot.action_server --actions bot.actions --port 5055`` takes the arguments of
``rasa run actions``; once the server is up (the actions, the catalog and Rasa SDK imported),
:func:`bot.gc_freeze.freeze_loaded_objects` keeps them out of the garbage collector's full
collections, which otherwise stopped the server for 70–100 ms at a time under load.

The server listens on 127.0.0.1 unless ``SANIC_HOST`` says otherwise (Rasa SDK's default is every
interface, and the action server has no authentication: containers set ``SANIC_HOST=0.0.0.0``
and a NetworkPolicy lets only the Rasa pods in). It refuses to start with a weak
``INTAKE_API_KEY`` (:mod:`connectors.common.secrets`).
"""

from __future__ import annotations

import functools
import os
from typing import Any

from bot.gc_freeze import freeze_loaded_objects
from connectors.common.masking import install_record_masking
from connectors.common.secrets import refuse_weak_secrets

__all__ = ["install_gc_freeze_after_start", "main"]


async def _freeze_after_start(app: Any, loop: Any) -> None:
    """Sanic listener: the server is up, everything it loaded is frozen."""
    freeze_loaded_objects()


def install_gc_freeze_after_start() -> None:
    """Makes every action server app created by Rasa SDK freeze its objects once started."""
    import rasa_sdk.endpoint as endpoint

    create_app = endpoint.create_app
    if hasattr(create_app, "__wrapped_create_app__"):
        return

    @functools.wraps(create_app)
    def create_app_then_freeze(*args: Any, **kwargs: Any) -> Any:
        app = create_app(*args, **kwargs)
        app.register_listener(_freeze_after_start, "after_server_start")
        return app

    create_app_then_freeze.__wrapped_create_app__ = create_app  # type: ignore[attr-defined]
    endpoint.create_app = create_app_then_freeze


def main() -> None:
    """Runs Rasa SDK's command line after installing the freeze."""
    os.umask(0o077)  # files it creates (the outbox database): 0600
    os.environ.setdefault("SANIC_HOST", "127.0.0.1")
    refuse_weak_secrets(("INTAKE_API_KEY",))
    install_record_masking()
    from rasa_sdk.__main__ import main as sdk_main

    install_gc_freeze_after_start()
    sdk_main()


if __name__ == "__main__":
    main()
