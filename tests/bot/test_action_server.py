"""The action server's command line: Rasa SDK's, with the loaded objects frozen once it is up."""

from __future__ import annotations

import gc

import rasa_sdk.endpoint

from bot.action_server import _freeze_after_start, install_gc_freeze_after_start


def test_every_app_rasa_sdk_creates_freezes_after_start(monkeypatch):
    registered = []

    class App:
        def register_listener(self, listener, event):
            registered.append((listener, event))

    monkeypatch.setattr(rasa_sdk.endpoint, "create_app", lambda *a, **k: App())
    install_gc_freeze_after_start()
    install_gc_freeze_after_start()  # twice: still one wrapper
    rasa_sdk.endpoint.create_app("bot.actions")
    assert registered == [(_freeze_after_start, "after_server_start")]


async def test_the_listener_freezes_what_is_loaded():
    try:
        await _freeze_after_start(None, None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
